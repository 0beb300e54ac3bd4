/**
 * Rolling-window figures from decision times (ms); a window is (x - W, x]. The most admitted in
 * any window is reached at an admission, so checking windows ending at each admission covers
 * every window. A refusal is only right if its window already held the limit: the fewest
 * admissions in a window ending at a refusal measures under-admission.
 */
export function windowFigures(admitted: number[], refused: number[], windowMs: number) {
  const times = [...admitted].sort((a, b) => a - b);
  const countIn = (end: number) => upperBound(times, end) - upperBound(times, end - windowMs);
  let maxInWindow = 0;
  for (const t of times) maxInWindow = Math.max(maxInWindow, countIn(t));
  let minAtRefusal = Infinity;
  for (const r of refused) minAtRefusal = Math.min(minAtRefusal, countIn(r));
  return { maxInWindow, minAtRefusal: Number.isFinite(minAtRefusal) ? minAtRefusal : null, admitted: times.length, refusals: refused.length };
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
