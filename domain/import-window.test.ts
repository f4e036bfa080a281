import { describe, expect, it } from 'vitest';
import { subWindows } from './import-window.js';

const at = (h: number) => new Date(Date.UTC(2026, 11, 1, h));

describe('subWindows', () => {
  it('cuts [from, to) into consecutive pieces of at most the step, in time order, covering it exactly', () => {
    const w = subWindows({ from: at(0), to: at(15) }, 6 * 3_600_000);
    expect(w.map((x) => [x.from.getUTCHours(), x.to.getUTCHours()])).toEqual([
      [0, 6],
      [6, 12],
      [12, 15],
    ]);
  });
  it('an empty or inverted window has no pieces; a step must be positive', () => {
    expect(subWindows({ from: at(5), to: at(5) }, 1000)).toEqual([]);
    expect(subWindows({ from: at(6), to: at(5) }, 1000)).toEqual([]);
    expect(() => subWindows({ from: at(0), to: at(1) }, 0)).toThrow(/positive/);
  });
});
