// The short chaos run inside `npm test`: the whole topology (3 gateways behind HAProxy, Redis with Sentinel, fault
// proxies, the simulator), about 30 s of load, faults and overload, and the checker's verdicts as the assertions.
import { join } from 'node:path';
import { ROOT } from '../../bench/lib/paths';
import { runExperiment, type ExperimentResult } from '../../chaos/experiment';
import { ensureHaproxy } from '../../chaos/lib/topology';
import { ensureRedisInstalled } from '../support/redis';

// At the top level, where no hook's timeout applies: a first-time apt install is slow.
ensureHaproxy();
ensureRedisInstalled();

describe('the short chaos run (failover with a lagging replica, DRS losing answers, a restart, reloads, overload)', () => {
  let result: ExperimentResult;

  beforeAll(async () => {
    result = await runExperiment({ mode: 'short', outDir: join(ROOT, 'chaos', 'out', 'short-test') });
  }, 150_000);

  const verdict = (id: string) => {
    const found = result.verdicts.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no verdict ${id}`);
    return found;
  };

  it('applies every scheduled fault', () => {
    expect(result.notes).toEqual([]);
    expect(result.history.faults.map((fault) => fault.name).sort()).toEqual(['drs-reset-after', 'overload', 'redis-failover-lagging', 'rolling-restart', 'sighup-reloads']);
  });

  it.each(['one-start-per-key', 'accepted-is-started', 'documented-answers', 'rate-limits', 'watches-end-done', 'no-crash-bounded-rss', 'overload-bounded'])('holds the promise %s', (id) => {
    const { violations, figures, pass } = verdict(id);
    expect({ id, violations, figures }).toEqual({ id, violations: [], figures });
    expect(pass).toBe(true);
  });
});
