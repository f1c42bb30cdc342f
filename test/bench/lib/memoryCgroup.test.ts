// The soak's and the chaos run's pod memory: a child started in the cgroup sees the Deployment's limit as node does in its pod.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createMemoryCgroup } from '../../../bench/lib/memoryCgroup';

const LIMIT_MIB = 320;
const REPORT = "const v8 = require('node:v8'); console.log(JSON.stringify({ pid: process.pid, constrained: process.constrainedMemory(), heap: v8.getHeapStatistics().heap_size_limit }))";

describe('a memory cgroup with the Deployment limit', () => {
  it('starts node inside it, so node sizes its heap from the limit, and removes it afterwards (or says why the machine gives none)', () => {
    const created = createMemoryCgroup('drs-gateway-test', LIMIT_MIB);
    if ('unavailable' in created) {
      // Not root, or no writable memory controller: the soak and the chaos run say so in their reports.
      expect(created.unavailable).toMatch(/^(no memory cgroup controller is mounted|cannot (create|limit) \/sys\/fs\/cgroup\/.+: .+)$/);
      return;
    }
    const { cgroup } = created;
    try {
      const launch = cgroup.wrap(process.execPath, ['-e', REPORT]);
      const run = spawnSync(launch.command, launch.args, { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const inside = JSON.parse(run.stdout) as { pid: number; constrained: number; heap: number };
      const outside = JSON.parse(spawnSync(process.execPath, ['-e', REPORT], { encoding: 'utf8' }).stdout) as { heap: number };
      expect(inside.pid).toBe(run.pid);
      expect(inside.constrained).toBe(LIMIT_MIB * 2 ** 20);
      expect(inside.heap).toBeLessThan(LIMIT_MIB * 2 ** 20);
      if (outside.heap > LIMIT_MIB * 2 ** 20) expect(inside.heap).toBeLessThan(outside.heap);
    } finally {
      cgroup.remove();
    }
    expect(existsSync(cgroup.dir)).toBe(false);
    expect(() => cgroup.remove()).not.toThrow();
  });
});
