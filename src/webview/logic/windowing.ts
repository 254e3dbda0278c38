// Windowing for a list of rows of different heights: only the rows near the viewport are in the
// DOM. Heights are measured once rendered and estimated until then.

export interface WindowRange {
  start: number;
  end: number;
  /** Height of the rows before start. */
  top: number;
  /** Height of the rows from end on. */
  bottom: number;
  total: number;
}

export class HeightIndex {
  private readonly measured = new Map<string, number>();
  constructor(private readonly estimate: (key: string) => number) {}

  height(key: string): number {
    return this.measured.get(key) ?? this.estimate(key);
  }

  /** Records a measured height; returns the change from what was assumed. */
  set(key: string, h: number): number {
    const before = this.height(key);
    this.measured.set(key, h);
    return h - before;
  }

  forget(key: string): void {
    this.measured.delete(key);
  }

  /** Offsets of each row's top edge; one more entry than keys: the total height. */
  offsets(keys: readonly string[]): number[] {
    const out = new Array<number>(keys.length + 1);
    out[0] = 0;
    for (let i = 0; i < keys.length; i++) out[i + 1] = out[i] + this.height(keys[i]);
    return out;
  }
}

/** The rows to render for a viewport, with `overscan` pixels above and below. */
export function visibleRange(offsets: readonly number[], scrollTop: number, viewport: number, overscan: number): WindowRange {
  const n = offsets.length - 1;
  const total = offsets[n];
  const lo = Math.max(0, scrollTop - overscan);
  const hi = Math.min(total, scrollTop + viewport + overscan);
  const start = Math.max(0, upperBound(offsets, lo) - 1);
  let end = upperBound(offsets, hi);
  if (end > n) end = n;
  if (end < start) end = start;
  return { start, end, top: offsets[start], bottom: total - offsets[end], total };
}

/** First index whose offset is greater than x. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
