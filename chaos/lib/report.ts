// The report of one run: a Markdown summary (a verdict per promise), the JSON history and verdicts, and a timeline
// (faults against start latency, error rate, each gateway's RSS and double starts) as SVG, and as PNG where Chromium
// is there.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentileOfSorted } from '../../bench/lib/stats';
import type { Verdict } from './checker';
import type { History } from './history';

const BUCKET_MS = 2_000;
const WIDTH = 1200;
const LEFT = 150;
const RIGHT = 20;
const COLOURS: Record<string, string> = {
  'redis-latency': '#8e44ad',
  'redis-failover': '#c0392b',
  'redis-failover-lagging': '#e74c3c',
  'drs-reset-before': '#d35400',
  'drs-reset-after': '#e67e22',
  'iam-outage': '#2980b9',
  'rolling-restart': '#16a085',
  'sighup-reloads': '#7f8c8d',
  overload: '#b7950b',
};

const INSTANCE_COLOURS = ['#2c3e50', '#16a085', '#8e44ad'];

interface Bucket {
  t: number;
  p50: number;
  p95: number;
  requests: number;
  errorRate: number;
}

const buckets = (history: History): Bucket[] => {
  const starts = history.exchanges.filter((exchange) => exchange.route === 'start');
  const count = Math.ceil((history.loadEndedAt - history.startedAt) / BUCKET_MS) + 1;
  return Array.from({ length: count }, (_, i) => {
    const from = history.startedAt + i * BUCKET_MS;
    const inside = starts.filter((exchange) => exchange.sentAt >= from && exchange.sentAt < from + BUCKET_MS);
    const latencies = inside.map((exchange) => exchange.answeredAt - exchange.sentAt).sort((a, b) => a - b);
    const errors = inside.filter((exchange) => exchange.status !== 200).length;
    return { t: (i * BUCKET_MS) / 1000, p50: percentileOfSorted(latencies, 50) || 0, p95: percentileOfSorted(latencies, 95) || 0, requests: inside.length, errorRate: inside.length === 0 ? 0 : errors / inside.length };
  });
};

/** The second (and later) DRS starts of a job: the double starts, as times. */
export const doubleStartTimes = (history: History): number[] => {
  const seen = new Set<string>();
  const times: number[] = [];
  for (const start of [...history.drsStarts].sort((a, b) => a.at - b.at)) {
    if (seen.has(start.job_id)) times.push(start.at);
    seen.add(start.job_id);
  }
  return times;
};

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const renderTimelineSvg = (history: History, verdicts: readonly Verdict[]): string => {
  const data = buckets(history);
  const spanS = Math.max(1, (history.loadEndedAt - history.startedAt) / 1000);
  const x = (seconds: number): number => LEFT + ((WIDTH - LEFT - RIGHT) * seconds) / spanS;
  const lanes = [...new Set(history.faults.map((fault) => fault.name))];
  const laneTop = 70;
  const laneHeight = 22;
  const chartTop = laneTop + lanes.length * laneHeight + 30;
  const chartHeight = 220;
  const errorTop = chartTop + chartHeight + 40;
  const errorHeight = 110;
  const rssTop = errorTop + errorHeight + 40;
  const rssHeight = 140;
  const doubleTop = rssTop + rssHeight + 40;
  const height = doubleTop + 70;
  const maxLatency = Math.max(100, ...data.map((bucket) => bucket.p95));
  const yLatency = (ms: number): number => chartTop + chartHeight - (chartHeight * Math.min(ms, maxLatency)) / maxLatency;
  const yError = (rate: number): number => errorTop + errorHeight - errorHeight * rate;
  const line = (values: number[], y: (v: number) => number): string => values.map((value, i) => `${i === 0 ? 'M' : 'L'}${x((data[i] as Bucket).t).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  const doubles = doubleStartTimes(history).map((time) => (time - history.startedAt) / 1000);
  const passed = verdicts.filter((verdict) => verdict.pass).length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="17" font-weight="bold">Chaos run (${history.mode}): ${passed} of ${verdicts.length} promises held; ${doubles.length} double starts</text>`,
    `<text x="${LEFT}" y="44" fill="#555">${history.keys.length} keys, ${history.exchanges.length} HTTP exchanges, ${history.drsStarts.length} DRS starts over ${spanS.toFixed(0)} s; time axis in seconds from the start of the load</text>`,
  ];
  lanes.forEach((lane, i) => {
    const y = laneTop + i * laneHeight;
    parts.push(`<text x="${LEFT - 8}" y="${y + 15}" text-anchor="end">${escape(lane)}</text>`);
    for (const fault of history.faults.filter((candidate) => candidate.name === lane)) {
      const from = x((fault.start - history.startedAt) / 1000);
      const to = Math.max(from + 3, x((fault.end - history.startedAt) / 1000));
      parts.push(`<rect x="${from.toFixed(1)}" y="${y + 3}" width="${(to - from).toFixed(1)}" height="${laneHeight - 6}" fill="${COLOURS[lane] ?? '#555'}" opacity="0.85"><title>${escape(fault.detail)}</title></rect>`);
      parts.push(`<rect x="${from.toFixed(1)}" y="${chartTop}" width="${(to - from).toFixed(1)}" height="${doubleTop + 40 - chartTop}" fill="${COLOURS[lane] ?? '#555'}" opacity="0.07"/>`);
    }
  });
  // Latency chart.
  parts.push(`<text x="${LEFT - 8}" y="${chartTop + 12}" text-anchor="end" font-weight="bold">start latency</text>`);
  parts.push(`<text x="${LEFT - 8}" y="${chartTop + 28}" text-anchor="end" fill="#555">ms, per ${BUCKET_MS / 1000} s</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = chartTop + chartHeight - chartHeight * tick;
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${LEFT + 4}" y="${y - 2}" fill="#888" font-size="10">${Math.round(maxLatency * tick)}</text>`);
  }
  parts.push(`<path d="${line(data.map((b) => b.p95), yLatency)}" fill="none" stroke="#e67e22" stroke-width="1.5"/>`);
  parts.push(`<path d="${line(data.map((b) => b.p50), yLatency)}" fill="none" stroke="#2c3e50" stroke-width="2"/>`);
  parts.push(`<text x="${WIDTH - RIGHT - 150}" y="${chartTop + 14}" fill="#2c3e50">— p50</text><text x="${WIDTH - RIGHT - 90}" y="${chartTop + 14}" fill="#e67e22">— p95</text>`);
  // Error rate.
  parts.push(`<text x="${LEFT - 8}" y="${errorTop + 12}" text-anchor="end" font-weight="bold">error rate</text>`);
  parts.push(`<text x="${LEFT - 8}" y="${errorTop + 28}" text-anchor="end" fill="#555">non-200 / starts</text>`);
  for (const tick of [0, 0.5, 1]) parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yError(tick)}" y2="${yError(tick)}" stroke="#ddd"/><text x="${LEFT + 4}" y="${yError(tick) - 2}" fill="#888" font-size="10">${tick * 100}%</text>`);
  parts.push(`<path d="${line(data.map((b) => b.errorRate), yError)} L${x((data.at(-1) as Bucket).t)},${yError(0)} L${x(0)},${yError(0)} Z" fill="#c0392b" opacity="0.5"/>`);
  // RSS per gateway against the Deployment's limit; a restarted instance's new process starts a new line.
  const rssMax = history.rssLimitMb * 1.1;
  const yRss = (mb: number): number => rssTop + rssHeight - (rssHeight * Math.min(mb, rssMax)) / rssMax;
  parts.push(`<text x="${LEFT - 8}" y="${rssTop + 12}" text-anchor="end" font-weight="bold">gateway RSS</text>`);
  parts.push(`<text x="${LEFT - 8}" y="${rssTop + 28}" text-anchor="end" fill="#555">MB (MiB), each 1 s</text>`);
  for (const tick of [0, 100, 200]) parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yRss(tick)}" y2="${yRss(tick)}" stroke="#ddd"/><text x="${LEFT + 4}" y="${yRss(tick) - 2}" fill="#888" font-size="10">${tick}</text>`);
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yRss(history.rssLimitMb)}" y2="${yRss(history.rssLimitMb)}" stroke="#c0392b" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${LEFT + 4}" y="${yRss(history.rssLimitMb) - 3}" fill="#c0392b" font-size="10">${history.rssLimitMb}: the Deployment's limit</text>`);
  const instances = [...new Set(history.rss.map((sample) => sample.instance))].sort();
  instances.forEach((instance, i) => {
    const colour = INSTANCE_COLOURS[i % INSTANCE_COLOURS.length] ?? '#555';
    let pid: number | undefined;
    const path = history.rss
      .filter((sample) => sample.instance === instance && sample.at <= history.loadEndedAt)
      .map((sample) => {
        const move = sample.pid === pid ? 'L' : 'M';
        pid = sample.pid;
        return `${move}${x((sample.at - history.startedAt) / 1000).toFixed(1)},${yRss(sample.rssMb).toFixed(1)}`;
      })
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    // Along the bottom, below any gateway's RSS, clear of the limit's line at the top.
    parts.push(`<text x="${WIDTH - RIGHT - 270 + i * 90}" y="${rssTop + rssHeight - 4}" fill="${colour}">— ${escape(instance)}</text>`);
  });
  // Double starts.
  parts.push(`<text x="${LEFT - 8}" y="${doubleTop + 14}" text-anchor="end" font-weight="bold">double starts</text>`);
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${doubleTop + 20}" y2="${doubleTop + 20}" stroke="#999"/>`);
  for (const time of doubles) parts.push(`<circle cx="${x(time).toFixed(1)}" cy="${doubleTop + 20}" r="5" fill="#c0392b"/>`);
  if (doubles.length === 0) parts.push(`<text x="${LEFT + 8}" y="${doubleTop + 16}" fill="#27ae60">none</text>`);
  for (let s = 0; s <= spanS; s += spanS > 120 ? 30 : 5) parts.push(`<text x="${x(s).toFixed(1)}" y="${doubleTop + 48}" text-anchor="middle" fill="#555">${s}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
};

/** Renders the SVG to PNG with Debian's Chromium (playwright-core); false when no browser could be had. */
const renderPng = async (svg: string, file: string): Promise<boolean> => {
  try {
    const { launchChromium } = await import('../../test/support/browser');
    const browser = await launchChromium();
    try {
      const width = Number(/width="(\d+)"/.exec(svg)?.[1] ?? WIDTH);
      const height = Number(/height="(\d+)"/.exec(svg)?.[1] ?? 800);
      const page = await browser.newPage({ viewport: { width, height } });
      await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
      await page.screenshot({ path: file });
    } finally {
      await browser.close();
    }
    return true;
  } catch {
    return false;
  }
};

const duration = (history: History, start: number, end: number): string => `${((start - history.startedAt) / 1000).toFixed(1)}–${((end - history.startedAt) / 1000).toFixed(1)} s`;

export const renderMarkdown = (history: History, verdicts: readonly Verdict[], files: { json: string; svg: string; png?: string }, notes: readonly string[]): string => {
  const lines = [
    `# Chaos run (${history.mode})`,
    '',
    `${new Date(history.startedAt).toISOString()}; load ${((history.loadEndedAt - history.startedAt) / 1000).toFixed(0)} s, whole run ${((history.endedAt - history.startedAt) / 1000).toFixed(0)} s; ` +
      `other processes on the machine used ${history.hostLoad.foreignCores.toFixed(2)} cores on average meanwhile.`,
    '',
    `![timeline](${files.png ?? files.svg})`,
    '',
    '| verdict | promise | figures |',
    '|---|---|---|',
    ...verdicts.map((verdict) => `| ${verdict.pass ? 'PASS' : '**FAIL**'} | ${verdict.promise} | ${verdict.figures.join('<br>')} |`),
    '',
    '## Faults',
    '',
    '| fault | window | what |',
    '|---|---|---|',
    ...[...history.faults].sort((a, b) => a.start - b.start).map((fault) => `| ${fault.name} | ${duration(history, fault.start, fault.end)} | ${fault.detail} |`),
    '',
  ];
  const broken = verdicts.filter((verdict) => verdict.violations.length > 0);
  if (broken.length > 0) {
    lines.push('## Violations (first 10 per promise)', '');
    for (const verdict of broken) lines.push(`### ${verdict.id}`, '', ...verdict.violations.map((violation) => `- ${violation}`), '');
  }
  if (notes.length > 0) lines.push('## Notes', '', ...notes.map((note) => `- ${note}`), '');
  lines.push(`Verdicts and faults: [${files.json}](${files.json}); the whole history (every exchange, start, watch and sample) is history.json beside it, and every process's log is under logs/.`, '');
  return lines.join('\n');
};

export interface ReportFiles {
  markdown: string;
  json: string;
  svg: string;
  png?: string;
}

export const writeReport = async (outDir: string, history: History, verdicts: readonly Verdict[], notes: readonly string[]): Promise<ReportFiles> => {
  const svg = renderTimelineSvg(history, verdicts);
  writeFileSync(join(outDir, 'timeline.svg'), svg);
  const png = (await renderPng(svg, join(outDir, 'timeline.png'))) ? 'timeline.png' : undefined;
  writeFileSync(join(outDir, 'history.json'), `${JSON.stringify({ verdicts, notes, history }, null, 1)}\n`);
  // The verdicts and faults alone, small enough to keep with an example run.
  const { exchanges, starts, readFailures, watches, drsStarts, rss, keys, ...run } = history;
  const counts = { exchanges: exchanges.length, starts: starts.length, readFailures: readFailures.length, watches: watches.length, drsStarts: drsStarts.length, rssSamples: rss.length, keys: keys.length };
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify({ verdicts, notes, run, counts }, null, 1)}\n`);
  writeFileSync(join(outDir, 'report.md'), renderMarkdown(history, verdicts, { json: 'summary.json', svg: 'timeline.svg', png }, notes));
  return { markdown: join(outDir, 'report.md'), json: join(outDir, 'history.json'), svg: join(outDir, 'timeline.svg'), png: png === undefined ? undefined : join(outDir, png) };
};
