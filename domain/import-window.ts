// Import windows, pure: a long window is listed as sub-windows one after another so that each one
// commits (the cursor moves to its end) before the next is asked for.

export interface TimeWindow {
  from: Date;
  to: Date;
}

/** [from, to) cut into consecutive half-open pieces of at most `stepMs`, in time order. */
export function subWindows(window: TimeWindow, stepMs: number): TimeWindow[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (!(stepMs > 0)) throw new Error(`subWindows: step must be positive (got ${stepMs})`);
  if (to <= from) return [];
  const out: TimeWindow[] = [];
  for (let t = from; t < to; t += stepMs)
    out.push({ from: new Date(t), to: new Date(Math.min(t + stepMs, to)) });
  return out;
}
