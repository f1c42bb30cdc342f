import { MemoryProgressShare } from '../../src/progress/ProgressShare';
import { FakeClock } from '../support/fakeClock';

describe('MemoryProgressShare', () => {
  it('grants one claim per job per interval', async () => {
    const clock = new FakeClock();
    const share = new MemoryProgressShare(clock);
    expect(await share.claim('p', ['a', 'b'], 1_000)).toEqual([true, true]);
    expect(await share.claim('p', ['a', 'b'], 1_000)).toEqual([false, false]);
    clock.advance(999);
    expect(await share.claim('p', ['a'], 1_000)).toEqual([false]);
    clock.advance(1);
    expect(await share.claim('p', ['a', 'b'], 1_000)).toEqual([true, true]);
    expect(await share.claim('q', ['a'], 1_000)).toEqual([true]);
  });

  it('keeps a published result for its time to live only', async () => {
    const clock = new FakeClock();
    const share = new MemoryProgressShare(clock);
    await share.publish('p', [{ jobId: 'a', json: '{"process":"50%"}' }], 1_000);
    expect(await share.read('p', ['a', 'b'])).toEqual(['{"process":"50%"}', null]);
    clock.advance(1_000);
    expect(await share.read('p', ['a'])).toEqual([null]);
  });

  it('forgets old jobs once it tracks many, so memory stays bounded', async () => {
    const clock = new FakeClock();
    const share = new MemoryProgressShare(clock);
    const many = Array.from({ length: 10_001 }, (_, i) => `job-${i}`);
    await share.claim('p', many, 1_000);
    clock.advance(1_000);
    expect(await share.claim('p', ['fresh'], 1_000)).toEqual([true]);
    expect((share as unknown as { polledAt: Map<string, number> }).polledAt.size).toBe(1);
  });
});
