// The chaos checker on small made-up histories: each promise passes on a clean history and fails on one that breaks it,
// so a green chaos run means something.
import { checkHistory, RSS_LIMIT_MB, type Verdict } from '../../chaos/lib/checker';
import type { Exchange, History, StartOutcome } from '../../chaos/lib/history';

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
  loadEndedAt: T0 + 10_000,
  endedAt: T0 + 12_000,
  exchanges: [
    exchange({}),
    ...Array.from({ length: 3 }, (_, i) =>
      exchange({ actor: 'prober', route: 'result', key: undefined, sentAt: T0 + 1_000 + i * 100, answeredAt: T0 + 1_010 + i * 100, rateLimit: `"probe";r=${2 - i};t=5` }),
    ),
    exchange({ actor: 'prober', route: 'result', key: undefined, sentAt: T0 + 1_400, answeredAt: T0 + 1_410, status: 429, problem: true, errorCode: 'GW.2001' }),
  ],
  starts: [accepted()],
  readFailures: [],
  watches: [{ service: 'service-1', key: 'k1', jobs: [JOB], startedAt: T0 + 200, endedAt: T0 + 7_000, aborted: false, done: [JOB], reconnects: 0 }],
  drsStarts: [{ job_id: JOB, mode: 'forStartJob', at: T0 + 140 }],
  faults: [],
  rss: [{ at: T0 + 1_000, instance: 'gateway-1', pid: 1, rssMb: 110 }],
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
    bloated.rss.push({ at: T0 + 2_000, instance: 'gateway-1', pid: 1, rssMb: RSS_LIMIT_MB + 1 });
    expect(verdict(bloated, 'no-crash-bounded-rss').pass).toBe(false);
  });
});
