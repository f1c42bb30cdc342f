// Reads a V8 .cpuprofile (node --cpu-prof): self time per function (name + script) and per package or gateway folder.
import { readFileSync } from 'node:fs';
import { ROOT } from './paths';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  functionName: string;
  /** Script relative to the repository (node_modules/<pkg>/..., dist/..., node:...) with the heaviest line. */
  location: string;
  selfMs: number;
  /** Share of the busy time (everything except "(idle)"). */
  busyPct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  top: SelfTimeEntry[];
  byGroup: Array<{ group: string; selfMs: number; busyPct: number }>;
}

const shortUrl = (url: string): string => {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
};

/** Which package (or gateway folder, or part of Node) a frame belongs to. */
export const groupOf = (frame: CallFrame): string => {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(V8 builtins / native)';
  const url = shortUrl(frame.url);
  if (url.startsWith('bench/')) return 'bench harness';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return `npm:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '')}`;
  }
  if (url.startsWith('dist/')) {
    const parts = url.split('/');
    return parts.length > 2 ? `gateway:${parts[1] ?? ''}/` : `gateway:${parts[1] ?? ''}`;
  }
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return parts[0] === 'internal' ? `node:internal/${parts[1] ?? ''}` : `node:${parts[0] ?? ''}`;
  }
  return url;
};

export const summariseProfile = (file: string, topN = 15): ProfileSummary => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Sample i covers the time until sample i + 1 (the last one gets the mean interval).
  const meanDelta = deltas.length > 0 ? deltas.reduce((a, b) => a + b, 0) / deltas.length : 0;
  const selfUs = new Map<number, number>();
  samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? meanDelta)));

  const byFunction = new Map<string, { frame: CallFrame; us: number; heaviestLine: number; heaviestUs: number }>();
  const byGroup = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    const key = `${frame.functionName}\u0000${frame.url}`;
    const entry = byFunction.get(key) ?? { frame, us: 0, heaviestLine: frame.lineNumber, heaviestUs: 0 };
    entry.us += us;
    if (us > entry.heaviestUs) {
      entry.heaviestUs = us;
      entry.heaviestLine = frame.lineNumber;
    }
    byFunction.set(key, entry);
    const group = groupOf(frame);
    byGroup.set(group, (byGroup.get(group) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): number => (busyUs > 0 ? (100 * us) / busyUs : 0);
  const top = [...byFunction.values()]
    .filter((entry) => entry.frame.functionName !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((entry) => ({
      functionName: entry.frame.functionName || '(anonymous)',
      location: entry.frame.url === '' ? '' : `${shortUrl(entry.frame.url)}:${entry.heaviestLine + 1}`,
      selfMs: entry.us / 1000,
      busyPct: pct(entry.us),
    }));
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    top,
    byGroup: [...byGroup.entries()]
      .filter(([group]) => group !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([group, us]) => ({ group, selfMs: us / 1000, busyPct: pct(us) })),
  };
};
