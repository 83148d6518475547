/** Where login messages go: stderr, or a fake in tests. */
export interface MessageStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * A one-line spinner with the time waited, redrawn in place, only when the stream is a terminal
 * (captured stderr stays clean for scripts and `credential_process`). `stop` erases it.
 */
export function startWaitIndicator(stream: MessageStream, message: string, options: { now?: () => number; intervalMs?: number } = {}): { stop(): void } {
  if (!stream.isTTY) return { stop: () => {} };
  const now = options.now ?? Date.now;
  const started = now();
  let frame = 0;
  const draw = () => {
    stream.write(`\r${FRAMES[frame % FRAMES.length]} ${message} ${elapsed(now() - started)}\x1b[K`);
    frame++;
  };
  draw();
  const timer = setInterval(draw, options.intervalMs ?? 250);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write('\r\x1b[K');
    },
  };
}
