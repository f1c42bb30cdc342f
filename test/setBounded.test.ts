import { setBounded } from '../src/setBounded';

describe('setBounded', () => {
  it('evicts the oldest entry once the bound is reached', () => {
    const map = new Map<string, number>();
    for (const [i, key] of ['a', 'b', 'c'].entries()) setBounded(map, key, i, 2);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });

  it('re-setting a present key refreshes it instead of evicting another entry', () => {
    const map = new Map([['a', 1], ['b', 2]]);
    setBounded(map, 'a', 3, 2);
    expect([...map]).toEqual([['b', 2], ['a', 3]]);
    setBounded(map, 'c', 4, 2);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });
});
