/**
 * The whole operating-system surface of the keychain backend: running Apple's `security` tool and
 * asking whether a file exists. Everything above it (which commands, how arguments are quoted,
 * how output is parsed, what an exit status means) is plain code that runs on any platform.
 */

/**
 * How one run of `/usr/bin/security` ended. `stderr` of `find-generic-password -g` holds the item's
 * data: never log the output of a run whole.
 * @public
 */
export interface SecurityRun {
  /**
   * Exit status, or null when a signal ended the tool. The tool exits with the low byte of the
   * OSStatus its command returned (errSecItemNotFound -25300 → 44); see `SECURITY_STATUS`.
   */
  status: number | null;
  stdout: string;
  stderr: string;
  /** True when the time limit stopped the tool (a dialog nobody answered, typically). */
  timedOut: boolean;
}

/**
 * What the backend asks of the OS. The real implementation is `systemKeychainOs()` in
 * securityTool.ts; tests pass an in-memory emulation of the `security` tool.
 * @public
 */
export interface KeychainOs {
  /**
   * Runs `security <args>` with no input. `args` must never hold a secret: the command line of a
   * process is visible to every user of the machine (`ps`).
   */
  run(args: readonly string[]): Promise<SecurityRun>;
  /**
   * Runs `security -i` (interactive mode) and writes `line` and a newline to its standard input,
   * so that the command's arguments (an item's data among them) never appear on a command line.
   * `line` is one command of at most `MAX_COMMAND_LINE_BYTES` bytes, without NUL or newline.
   */
  runInteractive(line: Uint8Array): Promise<SecurityRun>;
  /** The canonical path of an existing file, or undefined when there is none. */
  realPath(path: string): Promise<string | undefined>;
}
