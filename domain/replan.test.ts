import { describe, expect, it } from 'vitest';
import { type PoolStock, type ReplanLine, replanStock } from './replan.js';

const line = (lineId: number, productCode: string, needed: number, held: number): ReplanLine => ({
  lineId,
  orderId: lineId,
  productCode,
  needed,
  held,
});

const one = (units: number): PoolStock[] => [{ warehouse: 'tokyo', priority: 1, units }];

describe('replanStock', () => {
  it('moves stock from a younger order to an older one that waits', () => {
    // The younger order (2) got the last unit while the older one (1) was on hold.
    const moves = replanStock([line(1, 'A', 1, 0), line(2, 'A', 1, 1)], new Map([['A', one(1)]]));
    expect(moves).toEqual([
      { ...line(1, 'A', 1, 0), planned: 1 },
      { ...line(2, 'A', 1, 1), planned: 0 },
    ]);
  });

  it('changes nothing when every line already holds its oldest-first share', () => {
    expect(replanStock([line(1, 'A', 2, 2), line(2, 'A', 2, 1)], new Map([['A', one(3)]]))).toEqual([]);
  });

  it('splits the last units and keeps products apart', () => {
    const moves = replanStock(
      [line(1, 'A', 2, 0), line(2, 'B', 1, 0), line(3, 'A', 2, 2)],
      new Map([
        ['A', one(3)],
        ['B', one(0)],
      ]),
    );
    expect(moves.map((m) => [m.lineId, m.held, m.planned])).toEqual([
      [1, 0, 2],
      [3, 2, 1],
    ]);
  });

  it('takes stock back from lines of a product with no pool at all', () => {
    expect(replanStock([line(1, 'A', 1, 1)], new Map())).toEqual([{ ...line(1, 'A', 1, 1), planned: 0 }]);
  });

  it('takes from the warehouses a store ships from, in priority order', () => {
    const pool = new Map([
      [
        'A',
        [
          { warehouse: 'osaka', priority: 2, units: 2 },
          { warehouse: 'tokyo', priority: 1, units: 1 },
        ],
      ],
    ]);
    // The oldest order ships from osaka only; the next may use both and gets tokyo's unit first.
    const moves = replanStock(
      [
        { ...line(1, 'A', 2, 0), warehouses: ['osaka'] },
        { ...line(2, 'A', 2, 0), warehouses: null },
      ],
      pool,
    );
    expect(moves.map((m) => [m.lineId, m.planned])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });
});
