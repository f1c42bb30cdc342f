// The checker over one experiment's whole history: a verdict per promise, with the evidence that decided it.
import { fmt } from '../../bench/lib/stats';
import { trendFrom, trendVerdict } from '../../bench/lib/trend';
import { ERROR_CATALOGUE, type RetryKind } from '../../src/errors/catalogue';
import { OVERLOAD, type Exchange, type FaultWindow, type History, type RssSample } from './history';
import type { Crash } from './processes';

export interface Verdict {
  id: string;
  promise: string;
  pass: boolean;
  /** The figures behind the verdict, one line each. */
  figures: string[];
  /** Up to 10 examples of what broke it. */
  violations: string[];
}

const EXAMPLES = 10;

const catalogueEntry = (code: string | undefined) => (code !== undefined && Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE] : undefined);

const overlaps = (windows: readonly FaultWindow[], from: number, to: number, names?: (name: string) => boolean): FaultWindow[] =>
  windows.filter((window) => (names === undefined || names(window.name)) && window.start <= to && window.end >= from);

const at = (history: History, time: number): string => `${((time - history.startedAt) / 1000).toFixed(1)} s`;

/** Per Idempotency-Key, at most one DRS start. */
const oneStartPerKey = (history: History): Verdict => {
  const startsByJob = new Map<string, number[]>();
  for (const start of history.drsStarts) startsByJob.set(start.job_id, [...(startsByJob.get(start.job_id) ?? []), start.at]);
  const violations: string[] = [];
  let started = 0;
  let doubled = 0;
  for (const { key, jobs } of history.keys) {
    const times = jobs.map((job) => startsByJob.get(job) ?? []).reduce((a, b) => (b.length > a.length ? b : a), []);
    if (times.length > 0) started += 1;
    if (times.length > 1) {
      doubled += 1;
      const during = overlaps(history.faults, Math.min(...times) - 1_000, Math.max(...times)).map((window) => window.name);
      violations.push(`${key}: ${times.length} starts at ${times.map((time) => at(history, time)).join(', ')} (during: ${during.join(', ') || 'no fault'})`);
    }
  }
  const redeliveries = history.starts.filter((outcome) => outcome.delivery === 'redelivery');
  return {
    id: 'one-start-per-key',
    promise: 'Per Idempotency-Key, DRS starts the pre-check at most once (policy RATE_LIMIT_ON_STORE_ERROR=closed: no documented window)',
    pass: doubled === 0,
    figures: [
      `${history.keys.length} keys, ${started} started at DRS, ${doubled} started more than once`,
      `${redeliveries.length} keys delivered twice by their service, ${redeliveries.filter((outcome) => outcome.accepted).length} of them answered 200 the second time`,
    ],
    violations: violations.slice(0, EXAMPLES),
  };
};

/** Every 200 a client accepted is backed by a DRS start made before it. */
const acceptedBacked = (history: History): Verdict => {
  const firstStart = new Map<string, number>();
  for (const start of history.drsStarts) if (!firstStart.has(start.job_id)) firstStart.set(start.job_id, start.at);
  const accepted = history.starts.filter((outcome) => outcome.accepted);
  const violations = accepted
    .filter((outcome) => outcome.jobs.some((job) => (firstStart.get(job) ?? Number.POSITIVE_INFINITY) > outcome.endedAt))
    .map((outcome) => `${outcome.key} (${outcome.delivery}) accepted at ${at(history, outcome.endedAt)} without a DRS start before it`);
  const resolved = history.starts.filter((outcome) => outcome.resolution !== undefined);
  const wrongResolution = resolved.filter((outcome) => {
    const startedBefore = outcome.jobs.every((job) => (firstStart.get(job) ?? Number.POSITIVE_INFINITY) <= outcome.endedAt);
    return (outcome.resolution === 'started' && !startedBefore) || (outcome.resolution === 'not-started' && startedBefore);
  });
  violations.push(...wrongResolution.map((outcome) => `${outcome.key}: the result query said ${outcome.resolution ?? ''}, DRS's history says otherwise`));
  return {
    id: 'accepted-is-started',
    promise: 'Every 200 a client accepted is backed by a DRS start; after a may-have-started failure, the result query tells truly whether it started',
    pass: violations.length === 0,
    figures: [
      `${accepted.length} starts accepted (200), all checked against DRS's start history`,
      `${resolved.length} may-have-started failures resolved by batch-precheck-result: ${resolved.filter((o) => o.resolution === 'started').length} started, ${resolved.filter((o) => o.resolution === 'not-started').length} not started, ${resolved.filter((o) => o.resolution === 'unknown').length} unknown`,
    ],
    violations: violations.slice(0, EXAMPLES),
  };
};

const expectedRetryable = (kind: RetryKind, route: 'start' | 'read'): boolean => kind === 'transient' || (kind === 'may-have-started' && route === 'read');

/** What is wrong with an error answer: not a problem, a code off the catalogue, or not the catalogue's status. */
const undocumented = (history: History, exchange: Exchange): string | undefined => {
  const entry = catalogueEntry(exchange.errorCode);
  if (!exchange.problem || entry === undefined) {
    const body = exchange.foreignBody === undefined ? '' : ` ("${exchange.foreignBody.replace(/\s+/g, ' ').slice(0, 80)}")`;
    return `${exchange.route} answered ${exchange.status} ${exchange.errorCode ?? '(no problem body)'} at ${at(history, exchange.answeredAt)}: not a documented problem${body}`;
  }
  return entry.status === exchange.status ? undefined : `${exchange.errorCode ?? ''} came with status ${exchange.status}, the catalogue says ${entry.status}`;
};

/** Answers by error code (or status where there is none), most frequent first: "GW.2001 ×12, 200 ×3". */
const countByCode = (exchanges: readonly Exchange[]): string => {
  const byCode = new Map<string, number>();
  for (const exchange of exchanges) {
    const label = exchange.status === 200 ? '200' : (exchange.errorCode ?? `HTTP ${exchange.status} (not a problem)`);
    byCode.set(label, (byCode.get(label) ?? 0) + 1);
  }
  return [...byCode.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ×${n}`).join(', ') || 'none';
};

/** Every answer is a documented problem, and the client classifies it as the catalogue says. */
const documentedAnswers = (history: History): Verdict => {
  const answered = history.exchanges.filter((exchange) => exchange.status !== 0);
  const failed = answered.filter((exchange) => exchange.status >= 400);
  const violations = failed.map((exchange) => undocumented(history, exchange)).filter((violation) => violation !== undefined);
  const outcomes = [
    ...history.starts.filter((outcome) => !outcome.accepted).map((outcome) => ({ route: 'start' as const, code: outcome.errorCode, kind: outcome.kind, retryable: outcome.retryable, key: outcome.key })),
    ...history.readFailures.map((failure) => ({ route: 'read' as const, code: failure.errorCode, kind: failure.kind, retryable: failure.retryable, key: failure.actor })),
  ];
  for (const outcome of outcomes) {
    const entry = catalogueEntry(outcome.code);
    if (entry === undefined) continue;
    if (outcome.kind !== entry.retry || outcome.retryable !== expectedRetryable(entry.retry, outcome.route)) {
      violations.push(`${outcome.key}: ${outcome.code ?? ''} classified ${outcome.kind ?? '?'}/retryable=${String(outcome.retryable)}, the catalogue says ${entry.retry}`);
    }
  }
  const lost = history.exchanges.filter((exchange) => exchange.status === 0).length;
  return {
    id: 'documented-answers',
    promise: "Every answer a client got is a documented problem (error_code in the catalogue, the catalogue's status), and the typed client's kind/retryable follow the catalogue's retry field",
    pass: violations.length === 0,
    figures: [
      `${answered.length} answers, ${failed.length} of them problems: ${countByCode(failed)}`,
      `${outcomes.length} client-level failures classified; ${lost} exchanges lost on the network (no answer)`,
    ],
    violations: violations.slice(0, EXAMPLES),
  };
};

interface ProbeHit {
  answeredAt: number;
  resetAt: number;
}

const probeEntry = (header: string | undefined, tier: string): { remaining: number; resetS: number } | undefined => {
  const entry = header?.split(',').find((part) => part.trim().startsWith(`"${tier}"`));
  const remaining = /;\s*r=(\d+)/.exec(entry ?? '')?.[1];
  const reset = /;\s*t=(\d+)/.exec(entry ?? '')?.[1];
  return remaining === undefined || reset === undefined ? undefined : { remaining: Number(remaining), resetS: Number(reset) };
};

/** The prober's admitted requests, per window of the shared store, never exceed the tier's limit. */
const rateLimits = (history: History): Verdict => {
  const { name, max, windowMs } = history.probeTier;
  const probes = history.exchanges.filter((exchange) => exchange.actor === 'prober' && exchange.status !== 0);
  // Past the limiter: a 200, or a gateway problem other than the limiter's own refusals (a proxy's page never is).
  const admitted = (exchange: Exchange): boolean => exchange.errorCode !== 'GW.2001' && exchange.errorCode !== 'GW.5030' && (exchange.status === 200 || exchange.problem);
  const hits: ProbeHit[] = [];
  for (const exchange of probes.filter(admitted)) {
    const entry = probeEntry(exchange.rateLimit, name);
    if (entry !== undefined) hits.push({ answeredAt: exchange.answeredAt, resetAt: exchange.answeredAt + entry.resetS * 1000 });
  }
  // A window is known by its end: answers whose reset instants lie within half a window of each other share one.
  const windows: ProbeHit[][] = [];
  for (const hit of hits.sort((a, b) => a.answeredAt - b.answeredAt)) {
    const last = windows.at(-1);
    if (last !== undefined && Math.abs((last[0] as ProbeHit).resetAt - hit.resetAt) < windowMs / 2) last.push(hit);
    else windows.push([hit]);
  }
  const violations: string[] = [];
  let exactWindows = 0;
  let faultWindows = 0;
  for (const window of windows) {
    const from = (window[0] as ProbeHit).resetAt - windowMs;
    const to = (window[0] as ProbeHit).resetAt;
    const redisTrouble = overlaps(history.faults, from - 2_000, to + 2_000, (fault) => fault.startsWith('redis-')).length > 0;
    // A failover may lose a window's counter once (asynchronous replication): at most one extra window's worth.
    const bound = redisTrouble ? 2 * max : max;
    if (redisTrouble) faultWindows += 1;
    else exactWindows += 1;
    if (window.length > bound) violations.push(`window ending ${at(history, to)}: ${window.length} admitted, bound ${bound}${redisTrouble ? ' (Redis fault)' : ''}`);
  }
  return {
    id: 'rate-limits',
    promise: `The rate limit never admits more than its bound: exactly ${max} per ${windowMs / 1000} s window while Redis is healthy, at most ${2 * max} in a window a Redis failover crosses`,
    pass: violations.length === 0 && windows.length > 0,
    figures: [
      `${probes.length} prober requests, ${hits.length} admitted, ${probes.filter((e) => e.errorCode === 'GW.2001').length} refused 429 GW.2001, ${probes.filter((e) => e.errorCode === 'GW.5030').length} refused 503 GW.5030`,
      `${windows.length} windows: ${exactWindows} with Redis healthy (most admitted: ${Math.max(0, ...windows.map((w) => w.length))}), ${faultWindows} crossing a Redis fault`,
    ],
    violations: violations.slice(0, EXAMPLES),
  };
};

/** Every watch that was not aborted ended with `done` for each of its jobs. */
const watchesEnd = (history: History): Verdict => {
  const unaborted = history.watches.filter((watch) => !watch.aborted);
  const violations = unaborted
    .filter((watch) => watch.jobs.some((job) => !watch.done.includes(job)))
    .map((watch) => `${watch.key}: watch started ${at(history, watch.startedAt)} ended ${at(history, watch.endedAt)} without done (${watch.error ?? 'no error'})`);
  return {
    id: 'watches-end-done',
    promise: 'Every progress watch that was not aborted ends with `done` for each of its jobs',
    pass: violations.length === 0,
    figures: [`${history.watches.length} watches: ${unaborted.length} ran to their end, ${history.watches.length - unaborted.length} aborted when the run ended`],
    violations: violations.slice(0, EXAMPLES),
  };
};

const crashed = (history: History, crash: Crash): string =>
  `${crash.name} (pid ${crash.pid}) exited unasked at ${at(history, crash.at)}: code ${String(crash.code)}, signal ${String(crash.signal)}`;

const peaks = (samples: readonly RssSample[]): Map<string, number> => {
  const byInstance = new Map<string, number>();
  for (const sample of samples) byInstance.set(sample.instance, Math.max(byInstance.get(sample.instance) ?? 0, sample.rssMb));
  return byInstance;
};

const overLimit = (history: History, instance: string, peak: number): string | undefined =>
  peak > history.rssLimitMb ? `${instance}: RSS peaked at ${peak.toFixed(0)} MB, over the Deployment's ${history.rssLimitMb} MB` : undefined;

/** No process died unasked, and every gateway's RSS stayed under the Deployment's limit. */
const processesHealthy = (history: History): Verdict => {
  const violations = history.crashes.map((crash) => crashed(history, crash));
  const byInstance = peaks(history.rss);
  for (const [instance, peak] of byInstance) violations.push(...[overLimit(history, instance, peak)].filter((violation) => violation !== undefined));
  return {
    id: 'no-crash-bounded-rss',
    promise: `No instance (or any other process) crashes, and every gateway's RSS stays under ${history.rssLimitMb} MB (the Deployment's limit)`,
    pass: violations.length === 0 && history.rss.length > 0,
    figures: [
      `${history.crashes.length} unasked exits`,
      `peak RSS per gateway: ${[...byInstance.entries()].map(([instance, peak]) => `${instance} ${peak.toFixed(0)} MB`).join(', ')} (${history.rss.length} samples)`,
    ],
    violations: violations.slice(0, EXAMPLES),
  };
};

/** A shed answer's Retry-After in seconds (the gateway writes delay-seconds, never a date). */
const retryAfterS = (exchange: Exchange): number | undefined => (/^\d+$/.test(exchange.retryAfter ?? '') ? Number(exchange.retryAfter) : undefined);

/** A timer may fire a millisecond early; the client starts its wait only after the recorded answer. */
const RETRY_TOLERANCE_MS = 5;

/**
 * A phase's steady state is its second half: in the first, RSS climbs from the load before to what saturation needs
 * (some 100 MB in the first 10 s of a full run's phase).
 */
const STEADY_FROM_SHARE = 0.5;

/**
 * The trend's bound in a phase: at the slope of its second half, RSS must not reach the Deployment's limit within this
 * many minutes, the soak's length. A runaway such as the unbounded log buffer's (104 MB/min) reaches it within one. A
 * phase of 90 s cannot tell a slow leak from the 5–10 MB steps native memory takes while saturated (a full run saw
 * slopes of 7–12 MB/min from such steps, then flat): the 300 s soak's 1 MB/min rule is for that.
 */
export const OVERLOAD_HORIZON_MIN = 5;

/**
 * The shortest steady part a trend is judged over: over less, a single step of native memory (5–20 MB) reads as tens
 * of MB per minute. The short run's phase is shorter, so only its peaks count.
 */
export const MIN_TREND_SPAN_S = 30;


/** One overload phase: what was answered in it, how shed answers were waited out, and each gateway's RSS. */
const overloadPhase = (history: History, phase: FaultWindow, violations: string[]): string[] => {
  const inPhase = (time: number): boolean => time >= phase.start && time <= phase.end;
  const sent = history.exchanges.filter((exchange) => inPhase(exchange.sentAt));
  const answered = sent.filter((exchange) => exchange.status !== 0);
  violations.push(...answered.filter((exchange) => exchange.status !== 200).map((exchange) => undocumented(history, exchange)).filter((violation) => violation !== undefined));
  const shed = answered.filter((exchange) => exchange.errorCode === 'GW.5031');
  let repeated = 0;
  let early = 0;
  for (const answer of shed) {
    const waitS = retryAfterS(answer);
    if (waitS === undefined) {
      violations.push(`${answer.actor} ${answer.route}: shed at ${at(history, answer.answeredAt)} without a Retry-After in seconds`);
      continue;
    }
    // A later exchange of the same client call is its retry or reconnection; a redelivery is a new call, the service's.
    const next = answer.call === undefined ? undefined : history.exchanges.find((exchange) => exchange.call === answer.call && exchange.sentAt >= answer.answeredAt);
    if (next === undefined) continue;
    repeated += 1;
    const waitedMs = next.sentAt - answer.answeredAt;
    if (waitedMs < waitS * 1000 - RETRY_TOLERANCE_MS) {
      early += 1;
      violations.push(`${answer.actor} ${answer.route} ${answer.key ?? answer.jobs.join()}: shed at ${at(history, answer.answeredAt)} with Retry-After ${waitS} s, repeated after ${waitedMs} ms`);
    }
  }
  violations.push(...history.crashes.filter((crash) => inPhase(crash.at)).map((crash) => crashed(history, crash)));
  const spanS = (phase.end - phase.start) / 1000;
  const fromS = spanS * STEADY_FROM_SHARE;
  const judged = spanS - fromS >= MIN_TREND_SPAN_S;
  const byPid = new Map<number, RssSample[]>();
  for (const sample of history.rss.filter((candidate) => inPhase(candidate.at))) byPid.set(sample.pid, [...(byPid.get(sample.pid) ?? []), sample]);
  if (byPid.size === 0) violations.push(`no RSS sample in the phase at ${at(history, phase.start)}`);
  const memory = [...byPid.values()].map((samples) => {
    const instance = (samples[0] as RssSample).instance;
    const peak = peaks(samples).get(instance) ?? 0;
    const limit = overLimit(history, instance, peak);
    if (limit !== undefined) violations.push(limit);
    if (!judged) return `${instance} peak ${fmt(peak, 1)} MB`;
    const line = trendFrom(samples.map((sample) => ({ tS: (sample.at - phase.start) / 1000, rssMb: sample.rssMb })), (sample) => sample.rssMb, fromS);
    const maxSlope = Math.floor((10 * Math.max(0, history.rssLimitMb - peak)) / OVERLOAD_HORIZON_MIN) / 10;
    const trend = trendVerdict(`${instance} RSS trend`, line, `${samples.filter((sample) => sample.at >= phase.start + fromS * 1000).length} samples`, maxSlope);
    if (trend.pass !== true) violations.push(`${instance}: RSS trend ${trend.measured} over t ≥ ${fmt(fromS, 0)} s of the phase; the bound: ${trend.required} (the limit not within ${OVERLOAD_HORIZON_MIN} min)`);
    return `${instance} peak ${fmt(peak, 1)} MB, trend ${trend.measured}, bound ${maxSlope} MB/min`;
  });
  const trendSpan = judged
    ? `trend over its second half, t ≥ ${fmt(fromS, 0)} s of ${fmt(spanS, 0)} s, bounded so as not to reach the limit within ${OVERLOAD_HORIZON_MIN} min`
    : `no trend judged: its second half, ${fmt(spanS - fromS, 0)} s, is under ${MIN_TREND_SPAN_S} s`;
  return [
    `${at(history, phase.start)}–${at(history, phase.end)}: ${sent.length} requests sent, ${countByCode(answered)}; ${sent.length - answered.length} without an answer`,
    `${shed.length} shed (503 GW.5031), ${shed.filter((answer) => retryAfterS(answer) !== undefined).length} of them with Retry-After; ${repeated} repeated by the typed client, ${early} before their Retry-After`,
    `RSS (the Deployment's limit ${history.rssLimitMb} MB, ${history.gatewayMemory}; ${trendSpan}): ${memory.join('; ')}`,
  ];
};

/** Under overload: memory bounded (under the limit, no growth trend), every answer a 200 or a documented problem, shed answers waited out, no crash. */
const overloadBounded = (history: History): Verdict => {
  const violations: string[] = [];
  const phases = history.faults.filter((fault) => fault.name === OVERLOAD).sort((a, b) => a.start - b.start);
  const figures = phases.flatMap((phase) => overloadPhase(history, phase, violations));
  if (phases.length === 0) violations.push('no overload phase ran');
  return {
    id: 'overload-bounded',
    promise:
      "During the overload phase each gateway's RSS stays under the Deployment's limit, and its trend over the phase's second half (the soak's slope and R² rule) would not reach it within " +
      `${OVERLOAD_HORIZON_MIN} minutes; every answer is a 200 or a documented problem, ` +
      'shed answers (503 GW.5031) carry Retry-After and the typed client waits it out, and no instance crashes',
    pass: violations.length === 0,
    figures,
    violations: violations.slice(0, EXAMPLES),
  };
};

export const checkHistory = (history: History): Verdict[] => [
  oneStartPerKey(history),
  acceptedBacked(history),
  documentedAnswers(history),
  rateLimits(history),
  watchesEnd(history),
  processesHealthy(history),
  overloadBounded(history),
];
