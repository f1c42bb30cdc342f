// The stream caps when Redis answers late: what one store granted counts against the other, so no burst passes the cap.
import { createStreamSlots, MemoryStreamSlotStore, type StreamSlotStore } from '../../src/progress/StreamSlots';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

/** Redis as a burst sees it: commands that time out on the gateway's side (`down`), then answer again. */
class FlakyStore implements StreamSlotStore {
  down = false;
  private readonly inner = new MemoryStreamSlotStore();

  async acquire(key: string, streamId: string, max: number, now: number, leaseMs: number): Promise<boolean> {
    if (this.down) throw new Error('Command timed out');
    return this.inner.acquire(key, streamId, max, now, leaseMs);
  }

  async renew(key: string, streamId: string, now: number, leaseMs: number): Promise<void> {
    return this.inner.renew(key, streamId, now, leaseMs);
  }

  async release(key: string, streamId: string): Promise<void> {
    return this.inner.release(key, streamId);
  }

  async count(key: string, now: number): Promise<number> {
    if (this.down) throw new Error('Command timed out');
    return this.inner.count(key, now);
  }
}

const openAll = async (slots: ReturnType<typeof createStreamSlots>, count: number, sub: string): Promise<number> => {
  let granted = 0;
  for (let i = 0; i < count; i += 1) {
    try {
      await slots.open(sub, `10.0.0.${i}`);
      granted += 1;
    } catch (error) {
      expect(error).toMatchObject({ code: 'GW.2003' });
    }
  }
  return granted;
};

describe('createStreamSlots', () => {
  const setup = () => {
    const clock = new FakeClock();
    const shared = new FlakyStore();
    const slots = createStreamSlots({
      perCaller: 5,
      perIp: 100,
      leaseMs: 35_000,
      shared,
      local: new MemoryStreamSlotStore(),
      clock,
      metrics: new CountingMetrics(),
      logger: { warn: () => undefined },
    });
    return { clock, shared, slots };
  };

  it('counts the streams it holds open: a refusal adds none, and a second release removes nothing more', async () => {
    const { slots } = setup();
    const leases = await Promise.all(Array.from({ length: 5 }, () => slots.open('counted', '192.0.2.1')));
    await expect(slots.open('counted', '192.0.2.1')).rejects.toMatchObject({ code: 'GW.2003' });
    expect(slots.openHere()).toBe(5);
    leases[0]?.release();
    leases[0]?.release();
    expect(slots.openHere()).toBe(4);
  });

  it('never grants a caller more than its cap when Redis times out for part of a burst and then answers', async () => {
    const { clock, shared, slots } = setup();
    shared.down = true;
    expect(await openAll(slots, 10, 'flooder')).toBe(5);
    shared.down = false;
    // Past the 1 s refusal pause, so the stores are asked again.
    clock.advance(1_500);
    expect(await openAll(slots, 10, 'flooder')).toBe(0);
  });

  it('grants the cap through Redis, and a stream closed frees its slot in both stores', async () => {
    const { clock, slots } = setup();
    const leases = await Promise.all(Array.from({ length: 5 }, (_, i) => slots.open('caller', `10.0.1.${i}`)));
    await expect(slots.open('caller', '10.0.1.9')).rejects.toMatchObject({ code: 'GW.2003' });
    leases[0]?.release();
    clock.advance(1_500);
    await expect(slots.open('caller', '10.0.1.9')).resolves.toBeDefined();
  });

  it("counts a caller's open streams in Redis, leases that lapsed left out, and answers 503 GW.5030 when Redis fails", async () => {
    const { clock, shared, slots } = setup();
    const leases = await Promise.all([slots.open('svc/a b@x', '10.0.2.1'), slots.open('svc/a b@x', '10.0.2.2'), slots.open('other', '10.0.2.3')]);
    expect(await slots.openFor('svc/a b@x')).toBe(2);
    leases[0]?.release();
    expect(await slots.openFor('svc/a b@x')).toBe(1);
    clock.advance(35_001);
    expect(await slots.openFor('svc/a b@x')).toBe(0);
    shared.down = true;
    await expect(slots.openFor('other')).rejects.toMatchObject({ code: 'GW.5030' });
  });
});
