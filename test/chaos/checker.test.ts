// The chaos checker on small made-up histories: each promise passes on a clean history and fails on one that breaks it,
// so a green chaos run means something.
import { checkHistory, MIN_TREND_SPAN_S, OVERLOAD_HORIZON_MIN, type Verdict } from '../../chaos/lib/checker';
import type { Exchange, FaultWindow, History, RssSample, StartOutcome } from '../../chaos/lib/history';

const T0 = 1_800_000_000_000;
const JOB = 'c4a05000-0000-4000-8000-010000000001';

const exchange = (overrides: Partial<Exchange>): Exchange => ({
  actor: 'service-1',
  route: 'start',
  key: 'k1',
  jobs: [JOB],
  sentAt: T0 + 100,
  answeredAt: T0 + 150,
  status: 200,
  problem: false,
  replayed: false,
  ...overrides,
});

/** The overload phase of the clean history: 60 s from 20 s, one gateway sampled each second, flat at 200 MB. */
const PHASE: FaultWindow = { name: 'overload', detail: 'each gateway driven at c=128', start: T0 + 20_000, end: T0 + 80_000 };
const phaseRss = (rssMb: (second: number) => number, phase: FaultWindow = PHASE): RssSample[] =>
  Array.from({ length: Math.floor((phase.end - phase.start) / 1000) + 1 }, (_, s) => ({ at: phase.start + s * 1000, instance: 'gateway-1', pid: 1, rssMb: rssMb(s) }));
/** Flat, with the jitter of real samples. */
const flat = (second: number): number => 200 + (second % 3) * 0.4;
const shedAnswer = (overrides: Partial<Exchange>): Exchange =>
  exchange({ route: 'result', key: undefined, sentAt: T0 + 30_000, answeredAt: T0 + 30_050, status: 503, problem: true, errorCode: 'GW.5031', retryAfter: '3', ...overrides });

const accepted = (overrides: Partial<StartOutcome> = {}): StartOutcome => ({
  service: 'service-1',
  key: 'k1',
  jobs: [JOB],
  delivery: 'first',
  sentAt: T0 + 100,
  endedAt: T0 + 150,
  accepted: true,
  status: 200,
  ...overrides,
});

/** One key started once and accepted, one watch done, a prober within its limit, one healthy gateway. */
const cleanHistory = (): History => ({
  mode: 'short',
  startedAt: T0,
  loadEndedAt: T0 + 90_000,
  endedAt: T0 + 92_000,
  exchanges: [
    exchange({}),
    ...Array.from({ length: 3 }, (_, i) =>
      exchange({ actor: 'prober', route: 'result', key: undefined, sentAt: T0 + 1_000 + i * 100, answeredAt: T0 + 1_010 + i * 100, rateLimit: `"probe";r=${2 - i};t=5` }),
    ),
    exchange({ actor: 'prober', route: 'result', key: undefined, sentAt: T0 + 1_400, answeredAt: T0 + 1_410, status: 429, problem: true, errorCode: 'GW.2001' }),
    // In the overload phase: the generator's answers, and a watch shed once, reconnecting after its Retry-After.
    exchange({ actor: 'burst', route: 'result', key: undefined, sentAt: T0 + 25_000, answeredAt: T0 + 25_020 }),
    shedAnswer({ actor: 'burst' }),
    shedAnswer({ actor: 'service-1', route: 'progress', call: 7, sentAt: T0 + 40_000, answeredAt: T0 + 40_010 }),
    exchange({ route: 'progress', key: undefined, call: 7, sentAt: T0 + 43_010, answeredAt: T0 + 43_020 }),
  ],
  starts: [accepted()],
  readFailures: [],
  watches: [{ service: 'service-1', key: 'k1', jobs: [JOB], startedAt: T0 + 200, endedAt: T0 + 7_000, aborted: false, done: [JOB], reconnects: 0 }],
  drsStarts: [{ job_id: JOB, mode: 'forStartJob', at: T0 + 140 }],
  faults: [PHASE],
  rss: [{ at: T0 + 1_000, instance: 'gateway-1', pid: 1, rssMb: 110 }, ...phaseRss(flat)],
  rssLimitMb: 320,
  gatewayMemory: 'each gateway in its own memory cgroup limited to the Deployment\'s 320 MiB',
  crashes: [],
  probeTier: { name: 'probe', max: 3, windowMs: 5_000 },
  keys: [{ key: 'k1', jobs: [JOB] }],
  hostLoad: { foreignCores: 0 },
});

const verdict = (history: History, id: string): Verdict => {
  const found = checkHistory(history).find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no verdict ${id}`);
  return found;
};

describe('the chaos checker', () => {
  it('passes every promise on a clean history', () => {
    expect(checkHistory(cleanHistory()).filter((v) => !v.pass).map((v) => v.id)).toEqual([]);
  });

  it('fails one-start-per-key when DRS started a key twice, naming the fault it fell in', () => {
    const history = cleanHistory();
    history.drsStarts.push({ job_id: JOB, mode: 'forStartJob', at: T0 + 5_000 });
    history.faults.push({ name: 'redis-failover-lagging', detail: '', start: T0 + 4_000, end: T0 + 6_000 });
    expect(verdict(history, 'one-start-per-key')).toMatchObject({ pass: false, violations: [expect.stringContaining('k1: 2 starts') as string] });
    expect(verdict(history, 'one-start-per-key').violations[0]).toContain('redis-failover-lagging');
  });

  it('fails accepted-is-started for a 200 without a DRS start before it, and for a result query that told wrong', () => {
    const unbacked = cleanHistory();
    unbacked.drsStarts = [];
    expect(verdict(unbacked, 'accepted-is-started').pass).toBe(false);
    const wrong = cleanHistory();
    wrong.starts.push(accepted({ key: 'k2', jobs: ['c4a05000-0000-4000-8000-010000000002'], accepted: false, status: 502, errorCode: 'GW.3004', kind: 'may-have-started', retryable: false, resolution: 'started' }));
    expect(verdict(wrong, 'accepted-is-started').violations).toEqual([expect.stringContaining('k2: the result query said started')]);
  });

  it("fails documented-answers for a proxy's own page, a code off the catalogue, a wrong status or a wrong classification", () => {
    const cases: Array<(history: History) => void> = [
      (h) => h.exchanges.push(exchange({ status: 503, problem: false, foreignBody: '<html>No server is available</html>' })),
      (h) => h.exchanges.push(exchange({ status: 503, problem: true, errorCode: 'GW.9999' })),
      (h) => h.exchanges.push(exchange({ status: 500, problem: true, errorCode: 'GW.3006' })),
      (h) => h.starts.push(accepted({ accepted: false, status: 503, errorCode: 'GW.3006', kind: 'may-have-started', retryable: false })),
      (h) => h.starts.push(accepted({ accepted: false, status: 502, errorCode: 'GW.3004', kind: 'may-have-started', retryable: true })),
    ];
    for (const breakIt of cases) {
      const history = cleanHistory();
      breakIt(history);
      expect(verdict(history, 'documented-answers').pass).toBe(false);
    }
  });

  it('fails rate-limits when one window of the shared store admitted more than the limit, and allows twice the limit across a Redis fault', () => {
    const over = cleanHistory();
    over.exchanges.push(exchange({ actor: 'prober', route: 'result', key: undefined, sentAt: T0 + 1_300, answeredAt: T0 + 1_310, rateLimit: '"probe";r=0;t=5' }));
    expect(verdict(over, 'rate-limits')).toMatchObject({ pass: false, violations: [expect.stringContaining('4 admitted, bound 3')] });
    over.faults.push({ name: 'redis-failover', detail: '', start: T0 + 500, end: T0 + 2_000 });
    expect(verdict(over, 'rate-limits').pass).toBe(true);
  });

  it('fails watches-end-done for a watch that ended without done, but not for one aborted at the end of the run', () => {
    const history = cleanHistory();
    history.watches.push({ service: 'service-1', key: 'k1', jobs: [JOB], startedAt: T0, endedAt: T0 + 9_000, aborted: true, done: [], reconnects: 0 });
    expect(verdict(history, 'watches-end-done').pass).toBe(true);
    history.watches.push({ service: 'service-1', key: 'k1', jobs: [JOB], startedAt: T0, endedAt: T0 + 9_000, aborted: false, done: [], reconnects: 2, error: '503 GW.3006' });
    expect(verdict(history, 'watches-end-done').violations).toEqual([expect.stringContaining('503 GW.3006')]);
  });

  it('fails no-crash-bounded-rss on an exit nobody asked for, or an RSS over the limit', () => {
    const crashed = cleanHistory();
    crashed.crashes.push({ name: 'gateway-2', pid: 7, code: null, signal: 'SIGHUP', at: T0 + 3_000 });
    expect(verdict(crashed, 'no-crash-bounded-rss').violations).toEqual([expect.stringContaining('gateway-2 (pid 7) exited unasked')]);
    const bloated = cleanHistory();
    bloated.rss.push({ at: T0 + 2_000, instance: 'gateway-1', pid: 1, rssMb: bloated.rssLimitMb + 1 });
    expect(verdict(bloated, 'no-crash-bounded-rss').pass).toBe(false);
  });

  describe('overload-bounded', () => {
    const withPhaseRss = (rssMb: (second: number) => number, phase: FaultWindow = PHASE): History => {
      const history = cleanHistory();
      history.faults = [phase];
      history.rss = phaseRss(rssMb, phase);
      return history;
    };

    it("fails when a gateway's RSS passes the Deployment's limit inside the phase", () => {
      const history = withPhaseRss((second) => (second === 30 ? 321 : flat(second)));
      expect(verdict(history, 'overload-bounded')).toMatchObject({ pass: false, violations: [expect.stringContaining("gateway-1: RSS peaked at 321 MB, over the Deployment's 320 MB")] });
    });

    it(`fails on a climb in the phase's second half that would reach the limit within ${OVERLOAD_HORIZON_MIN} minutes, as the unbounded log buffer's did`, () => {
      // 104 MB a minute, the soak's figure before the log buffer was bounded: 252 MB at the end of the phase.
      const runaway = withPhaseRss((second) => 150 + second * 1.7 + (second % 3) * 0.4);
      expect(verdict(runaway, 'overload-bounded')).toMatchObject({
        pass: false,
        violations: [expect.stringMatching(/^gateway-1: RSS trend 10\d\.\d+ MB\/min, R² 1\.00 .* the bound: slope ≤ 13\.\d MB\/min/)],
      });
    });

    it('passes steps in the first half that then hold, and a climb too slow for a phase to tell from steps (the soak judges that)', () => {
      const slow = withPhaseRss((second) => 180 + second * 0.05 + (second % 3) * 0.4);
      expect(verdict(slow, 'overload-bounded').pass).toBe(true);
      // As the full run saw it: a ramp, steps until 36 s into the 60 s phase, then flat.
      const settling = withPhaseRss((second) => Math.min(193, 106 + second * 12) + (second >= 20 ? 10 : 0) + (second >= 28 ? 9 : 0) + (second >= 36 ? 7 : 0) + (second % 3) * 0.4);
      expect(verdict(settling, 'overload-bounded').pass).toBe(true);
    });

    it(`judges no trend on a phase whose second half is under ${MIN_TREND_SPAN_S} s, but still holds its peak to the limit`, () => {
      const short: FaultWindow = { ...PHASE, end: PHASE.start + 6_000 };
      const climbing = withPhaseRss((second) => 150 + second * 10, short);
      expect(verdict(climbing, 'overload-bounded')).toMatchObject({ pass: true, figures: expect.arrayContaining([expect.stringContaining('no trend judged')]) as string[] });
      expect(verdict(withPhaseRss((second) => 300 + second * 10, short), 'overload-bounded').pass).toBe(false);
    });

    it("fails on an answer in the phase that is neither a 200 nor a documented problem (a proxy's page, a code off the catalogue)", () => {
      for (const answer of [
        shedAnswer({ actor: 'burst', errorCode: undefined, problem: false, foreignBody: '<html>503 Service Unavailable</html>' }),
        shedAnswer({ actor: 'burst', errorCode: 'GW.5999' }),
        shedAnswer({ actor: 'burst', status: 500 }),
      ]) {
        const history = cleanHistory();
        history.exchanges.push(answer);
        expect(verdict(history, 'overload-bounded').pass).toBe(false);
      }
    });

    it('fails on a shed answer without Retry-After, and on a typed client that repeats a shed request before its Retry-After', () => {
      const bare = cleanHistory();
      bare.exchanges.push(shedAnswer({ actor: 'burst', retryAfter: undefined }));
      expect(verdict(bare, 'overload-bounded').violations).toEqual([expect.stringContaining('without a Retry-After')]);
      const hasty = cleanHistory();
      hasty.exchanges.push(
        shedAnswer({ route: 'start', key: 'k9', call: 9, sentAt: T0 + 50_000, answeredAt: T0 + 50_010 }),
        exchange({ key: 'k9', call: 9, sentAt: T0 + 51_000, answeredAt: T0 + 51_010 }),
      );
      expect(verdict(hasty, 'overload-bounded').violations).toEqual([expect.stringContaining('k9: shed at 50.0 s with Retry-After 3 s, repeated after 990 ms')]);
    });

    it("does not hold a caller's own new call to a Retry-After its client gave up on (a redelivery, the prober's next query)", () => {
      const history = cleanHistory();
      history.exchanges.push(
        shedAnswer({ route: 'start', key: 'k9', call: 9, sentAt: T0 + 50_000, answeredAt: T0 + 50_010 }),
        exchange({ key: 'k9', call: 10, sentAt: T0 + 51_000, answeredAt: T0 + 51_010 }),
        shedAnswer({ actor: 'prober', call: 11 }),
        exchange({ actor: 'prober', route: 'result', key: undefined, call: 12, sentAt: T0 + 30_150, answeredAt: T0 + 30_160 }),
      );
      expect(verdict(history, 'overload-bounded')).toMatchObject({ pass: true, figures: expect.arrayContaining([expect.stringContaining('1 repeated by the typed client, 0 before their Retry-After')]) as string[] });
    });

    it('fails when an instance exits unasked inside the phase, or when no overload phase ran', () => {
      const crashed = cleanHistory();
      crashed.crashes.push({ name: 'gateway-3', pid: 9, code: null, signal: 'SIGKILL', at: T0 + 50_000 });
      expect(verdict(crashed, 'overload-bounded').violations).toEqual([expect.stringContaining('gateway-3 (pid 9) exited unasked at 50.0 s')]);
      const none = cleanHistory();
      none.faults = [];
      expect(verdict(none, 'overload-bounded')).toMatchObject({ pass: false, violations: ['no overload phase ran'] });
    });
  });
});
