import { describe, expect, it } from 'vitest';
import { unstorablePath } from './storable.js';

describe('unstorablePath', () => {
  it('names the field, the array item or the key that holds U+0000 or a lone surrogate', () => {
    expect(unstorablePath({ a: 'ok', b: [{ c: 'x' }, { c: 'y\u0000' }] })).toBe('b[1].c');
    expect(unstorablePath({ a: { 'k\ud800': 1 } })).toBe('a.k\ud800');
    expect(unstorablePath(['fine', 'bad\udc00'])).toBe('[1]');
    expect(unstorablePath('\u0000')).toBe('(record)');
    expect(unstorablePath({ n: 'x\u0000' }, 'payload')).toBe('payload.n');
  });

  it('passes paired surrogates, other text and non-strings', () => {
    expect(unstorablePath({ emoji: '😀', n: 1, b: true, z: null, l: [1, 'a'] })).toBeNull();
  });
});
