// "Did you mean ...?": the likely intended word when a verb or help topic is mistyped.

/** The candidate closest to what was typed, if it is close enough to be a likely typo. */
export function closest(typed: string, candidates: string[]): string | undefined {
  const word = typed.toLowerCase().slice(0, 40);
  if (!word) return undefined;
  const prefixed = candidates.filter((c) => word.length >= 3 && c.startsWith(word) && c !== '?');
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === '?') continue;
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) ? best : undefined;
}

/** Edits (insert, delete, change, swap two neighbours) between a and b: "hepl" is one from "help". */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    const up = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
