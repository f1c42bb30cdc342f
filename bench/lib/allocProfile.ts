// Reads a V8 sampling heap profile (collected objects included): bytes allocated per request by package or gateway folder.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupOf, type CallFrame } from './cpuProfile';

interface SampledNode {
  callFrame: CallFrame;
  selfSize: number;
  children?: SampledNode[];
}

export const allocSamplePath = (pid: number): string => join(tmpdir(), `drs-bench-alloc-${pid}.heapprofile`);

export interface AllocSummary {
  bytesPerRequest: number;
  byGroup: Array<{ group: string; bytesPerRequest: number; share: number }>;
}

export const summariseAllocations = (file: string, requests: number): AllocSummary => {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: SampledNode };
  const byGroup = new Map<string, number>();
  let total = 0;
  const stack: SampledNode[] = [head];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.selfSize > 0) {
      total += node.selfSize;
      const group = groupOf(node.callFrame);
      byGroup.set(group, (byGroup.get(group) ?? 0) + node.selfSize);
    }
    stack.push(...(node.children ?? []));
  }
  return {
    bytesPerRequest: total / requests,
    byGroup: [...byGroup.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([group, bytes]) => ({ group, bytesPerRequest: bytes / requests, share: total > 0 ? bytes / total : 0 })),
  };
};
