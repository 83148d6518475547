/** Edit scripts longer than this are shown as one replacement (bounded time and memory). */
const MAX_EDIT_DISTANCE = 1000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; text: string };

const lineList = (text: string) => (text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/));

/** Myers' O(ND) shortest edit script between two line lists; undefined when it would exceed `max`. */
function myers(a: readonly string[], b: readonly string[], max: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d, offset);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], a: readonly string[], b: readonly string[], dEnd: number, offset: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const prevK = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? k + 1 : k - 1;
    const prevX = v[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', text: a[--x] as string }), y--;
    if (x === prevX) ops.push({ kind: '+', text: b[--y] as string });
    else ops.push({ kind: '-', text: a[--x] as string });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', text: a[--x] as string }), y--;
  return ops.reverse();
}

/**
 * A unified diff (`diff -u` format, 3 lines of context) between two texts, labelled with `path`;
 * '' when they are equal.
 */
export function unifiedDiff(before: string, after: string, path: string): string {
  if (before === after) return '';
  const a = lineList(before);
  const b = lineList(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) endA--, endB--;
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle = myers(midA, midB, MAX_EDIT_DISTANCE) ?? [...midA.map((text) => ({ kind: '-' as const, text })), ...midB.map((text) => ({ kind: '+' as const, text }))];
  const ops: Op[] = [...a.slice(0, start).map((text) => ({ kind: ' ' as const, text })), ...middle, ...a.slice(endA).map((text) => ({ kind: ' ' as const, text }))];

  const out = [`--- ${path}`, `+++ ${path} (after vault sso populate)`];
  let i = 0;
  let lineA = 1;
  let lineB = 1;
  while (i < ops.length) {
    if ((ops[i] as Op).kind === ' ') {
      i++;
      lineA++;
      lineB++;
      continue;
    }
    // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change that is
    // no more than 2·CONTEXT unchanged lines from the previous one.
    const hunkStart = Math.max(0, i - CONTEXT);
    let j = i;
    let lastChange = i;
    while (j < ops.length) {
      if ((ops[j] as Op).kind !== ' ') lastChange = j;
      else if (j - lastChange > 2 * CONTEXT) break;
      j++;
    }
    const hunkEnd = Math.min(ops.length, lastChange + CONTEXT + 1);
    const lead = i - hunkStart;
    const startA = lineA - lead;
    const startB = lineB - lead;
    const body: string[] = [];
    let countA = 0;
    let countB = 0;
    for (let h = hunkStart; h < hunkEnd; h++) {
      const op = ops[h] as Op;
      body.push(`${op.kind}${op.text}`);
      if (op.kind !== '+') countA++;
      if (op.kind !== '-') countB++;
    }
    out.push(`@@ -${countA === 0 ? startA - 1 : startA},${countA} +${countB === 0 ? startB - 1 : startB},${countB} @@`, ...body);
    for (let h = i; h < hunkEnd; h++) {
      const op = ops[h] as Op;
      if (op.kind !== '+') lineA++;
      if (op.kind !== '-') lineB++;
    }
    i = hunkEnd;
  }
  return `${out.join('\n')}\n`;
}
