// The IP gate's memory of refused clients: until when each is refused, by the injected clock, within a bounded size.
import { BlockedIps } from '../../src/rate-limit/BlockedIps';
import { FakeClock } from '../support/fakeClock';

describe('BlockedIps', () => {
  it('refuses a key until its window ends, in whole seconds, and forgets it at that instant', () => {
    const clock = new FakeClock();
    const blocked = new BlockedIps(clock);
    blocked.block('203.0.113.7', clock.now() + 2_500);
    expect(blocked.retryAfter('203.0.113.7')).toBe(3);
    clock.advance(2_499);
    expect(blocked.retryAfter('203.0.113.7')).toBe(1);
    clock.advance(1);
    expect(blocked.retryAfter('203.0.113.7')).toBeUndefined();
    expect(blocked.retryAfter('198.51.100.1')).toBeUndefined();
  });

  it('holds at most 10,000 keys, dropping the least recently used: a key still knocking stays refused', () => {
    const clock = new FakeClock();
    const blocked = new BlockedIps(clock);
    const until = clock.now() + 60_000;
    blocked.block('knocking', until);
    for (let i = 0; i < 9_999; i += 1) blocked.block(`10.0.${i >> 8}.${i & 255}`, until);
    expect(blocked.retryAfter('knocking')).toBe(60);
    blocked.block('one-more', until);
    expect(blocked.retryAfter('10.0.0.0')).toBeUndefined();
    expect(blocked.retryAfter('knocking')).toBe(60);
    expect(blocked.retryAfter('one-more')).toBe(60);
  });
});
