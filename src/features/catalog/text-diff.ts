// A character diff (Myers' O(ND) algorithm) for comparing two versions of a Chinese text, where
// words are not separated by spaces and the character is the unit a reader sees change.

export type DiffOp = 'equal' | 'insert' | 'delete';
export interface DiffPart {
  op: DiffOp;
  text: string;
}

/** Beyond this many edits the middle is shown as deleted and inserted whole (time and memory grow with D²). */
const MAX_EDITS = 2000;

/** The parts turning `from` into `to`: equal, deleted and inserted runs, adjacent runs of one kind merged. */
export function diffChars(from: string, to: string): DiffPart[] {
  const a = Array.from(from);
  const b = Array.from(to);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middle = myers(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix));
  const parts: DiffPart[] = [];
  push(parts, 'equal', a.slice(0, prefix).join(''));
  for (const p of middle) push(parts, p.op, p.text);
  push(parts, 'equal', a.slice(a.length - suffix).join(''));
  return parts;
}

function push(parts: DiffPart[], op: DiffOp, text: string) {
  if (!text) return;
  const last = parts.at(-1);
  if (last && last.op === op) last.text += text;
  else parts.push({ op, text });
}

/** Myers' greedy shortest edit script, with the trace kept to walk it back. */
function myers(a: string[], b: string[]): DiffPart[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...(n ? [{ op: 'delete' as const, text: a.join('') }] : []), ...(m ? [{ op: 'insert' as const, text: b.join('') }] : [])];
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  // Round d reads the diagonals of parity d − 1 and writes those of parity d: one array serves.
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    // Only diagonals −d−1 … d+1 matter to round d; keeping just them bounds memory by 4·D² bytes.
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, d, k);
    }
  }
  return [
    { op: 'delete', text: a.join('') },
    { op: 'insert', text: b.join('') },
  ];
}

function backtrack(a: string[], b: string[], trace: Int32Array[], lastD: number, lastK: number): DiffPart[] {
  const reversed: DiffPart[] = [];
  let x = a.length;
  let y = b.length;
  let k = lastK;
  for (let d = lastD; d > 0; d--) {
    // trace[d] holds diagonals −d−1 … d+1 as they were before round d.
    const at = (diagonal: number) => trace[d]![diagonal + d + 1]!;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > (down ? prevX : prevX + 1) && y > (down ? prevY + 1 : prevY)) {
      reversed.push({ op: 'equal', text: a[--x]! });
      y--;
    }
    if (down) reversed.push({ op: 'insert', text: b[--y]! });
    else reversed.push({ op: 'delete', text: a[--x]! });
    k = prevK;
  }
  while (x > 0 && y > 0) {
    reversed.push({ op: 'equal', text: a[--x]! });
    y--;
  }
  const parts: DiffPart[] = [];
  for (let i = reversed.length - 1; i >= 0; i--) push(parts, reversed[i]!.op, reversed[i]!.text);
  return parts;
}
