// The workload: services starting pre-checks through the typed client (Idempotency-Keys, the client's own retries,
// at-least-once redelivery of some keys), progress watchers, a prober that leans on its rate limit, and, for the
// overload phase, the soak's saturating load generator; every answer recorded.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { LoadResult } from '../../bench/lib/load';
import { createGatewayClient, GatewayClientError, type GatewayClient } from '../../clients/typescript/src';
import type { Exchange, ReadFailure, Route, StartOutcome, WatchRecord } from './history';
import type { ProcessGroup } from './processes';
import { JWT_SECRET, PROBE_TIER, PROJECT } from './topology';

export interface LoadSettings {
  services: number;
  /** Pause between one service's starts, ms (uniform in [min, max]). */
  pauseMs: [number, number];
  /** Share of keys delivered a second time, 0.5–2.5 s after the first delivery ended. */
  redeliveryShare: number;
  maxWatches: number;
  proberIntervalMs: number;
  random: () => number;
}

/** One line of the overload generator's output (chaos/processes/saturate.ts): an answer, or at the end its result. */
export interface GeneratorLine {
  answer?: { sentAt: number; answeredAt: number; status: number; body: string; headers: Record<string, string> };
  result?: LoadResult;
}

/** Where the overload generator runs: a child process of the experiment's group, from its bundled `script`. */
export interface GeneratorHost {
  group: ProcessGroup;
  script: string;
  /** Its answers go to a file here until they are recorded. */
  dir: string;
}

/** The load while it runs: the overload phase adds to it, and its record is read once it has ended. */
export interface Load {
  /**
   * The soak's load generator (autocannon: `connections` keep-alive connections, result queries back to back, no
   * retries) at one gateway for `durationS` seconds, in a child process; every answer recorded with the rest.
   */
  saturate(target: { name: string; origin: string }, connections: number, durationS: number): Promise<LoadResult>;
  /** Everything recorded, once starting has stopped and every delivery and watch has ended. */
  finished: Promise<LoadRecord>;
}

export interface LoadRecord {
  exchanges: Exchange[];
  starts: StartOutcome[];
  readFailures: ReadFailure[];
  watches: WatchRecord[];
  keys: Array<{ key: string; jobs: string[] }>;
}

const tokenFor = (sub: string, scopes: string): string =>
  jwt.sign({ sub, scope: scopes, projects: [PROJECT] }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '2h' });

/** A job ID of DRS's shape, its own per service and key number, so DRS starts per job are starts per key. */
export const jobIdFor = (service: number, n: number): string => `c4a05000-0000-4000-8000-${String(service).padStart(2, '0')}${String(n).padStart(10, '0')}`;

const routeOf = (url: string): Route => (url.endsWith('batch-precheck') ? 'start' : url.endsWith('batch-precheck-result') ? 'result' : 'progress');

const jobsOf = (request: Request, body: string | undefined): string[] => {
  const query = new URL(request.url).searchParams.get('jobs');
  if (query !== null) return query.split(',');
  if (body === undefined) return [];
  const parsed = JSON.parse(body) as { jobs: Array<string | { job_id: string }> };
  return parsed.jobs.map((job) => (typeof job === 'string' ? job : job.job_id));
};

type AnswerFields = Pick<Exchange, 'status' | 'errorCode' | 'problem' | 'replayed' | 'rateLimit' | 'retryAfter' | 'foreignBody'>;

/** What the history keeps of an answer: an error's code and Retry-After, the headers the checker reads, and the start of a body that is no problem. */
const answerFields = (status: number, errorBody: string, header: (name: string) => string | undefined): AnswerFields => {
  const ok = status >= 200 && status < 300;
  const problem = (header('Content-Type') ?? '').includes('application/problem+json');
  let errorCode: string | undefined;
  if (!ok) {
    try {
      errorCode = (JSON.parse(errorBody) as { error_code?: string }).error_code;
    } catch {
      errorCode = undefined;
    }
  }
  return {
    status,
    errorCode,
    problem,
    replayed: header('Idempotency-Replayed') === 'true',
    rateLimit: header('RateLimit'),
    retryAfter: ok ? undefined : header('Retry-After'),
    foreignBody: ok || problem ? undefined : errorBody.slice(0, 160),
  };
};

/** fetch for the typed client that records every exchange (a stream's only up to its headers). */
const recordingFetch = (actor: string, exchanges: Exchange[], call: () => number | undefined) => async (request: Request): Promise<Response> => {
  const route = routeOf(new URL(request.url).pathname);
  const body = request.method === 'POST' ? await request.clone().text() : undefined;
  const base = { actor, route, key: request.headers.get('Idempotency-Key') ?? undefined, jobs: jobsOf(request, body), call: call(), sentAt: Date.now() };
  try {
    const response = await fetch(request);
    const errorBody = response.ok ? '' : await response.clone().text();
    exchanges.push({ ...base, answeredAt: Date.now(), ...answerFields(response.status, errorBody, (name) => response.headers.get(name) ?? undefined) });
    return response;
  } catch (error) {
    exchanges.push({ ...base, answeredAt: Date.now(), status: 0, problem: false, replayed: false, networkError: error instanceof Error ? error.message : String(error) });
    throw error;
  }
};

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** What the result query says about jobs whose start may have happened: the rule docs/client.md gives callers. */
const resolveStart = async (client: GatewayClient, jobs: string[]): Promise<'started' | 'not-started' | 'unknown'> => {
  try {
    const answer = await client.getPrecheckResults(PROJECT, jobs);
    const items = answer.results ?? [];
    const never = items.filter((item) => (item as { error_code?: string }).error_code === 'DRS.M00002').length;
    if (never === jobs.length) return 'not-started';
    return never === 0 && items.length === jobs.length ? 'started' : 'unknown';
  } catch {
    return 'unknown';
  }
};

export const runLoad = (url: string, settings: LoadSettings, until: { stopStarting: AbortSignal; stopAll: AbortSignal }, generator: GeneratorHost): Load => {
  const record: LoadRecord = { exchanges: [], starts: [], readFailures: [], watches: [], keys: [] };
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  let openWatches = 0;
  // Each typed-client call gets a number its exchanges carry, through the client's awaits and timers alike.
  const calls = new AsyncLocalStorage<number>();
  let lastCall = 0;
  const inCall = <T>(work: () => Promise<T>): Promise<T> => calls.run((lastCall += 1), work);
  const between = ([min, max]: [number, number]): number => min + settings.random() * (max - min);

  const clientFor = (actor: string, scopes: string, maxAttempts: number): GatewayClient => {
    const token = tokenFor(actor, scopes);
    return createGatewayClient({
      baseUrl: url,
      getToken: () => token,
      fetch: recordingFetch(actor, record.exchanges, () => calls.getStore()),
      retry: { maxAttempts, maxDelayMs: 10_000, random: settings.random },
      reconnect: { maxFailures: 8, maxDelayMs: 10_000, idleTimeoutMs: 30_000, random: settings.random },
    });
  };

  const readFailed = (actor: string, error: unknown): void => {
    if (error instanceof GatewayClientError) record.readFailures.push({ actor, at: Date.now(), status: error.status, errorCode: error.error_code, kind: error.kind, retryable: error.retryable });
  };

  const watch = (service: string, client: GatewayClient, key: string, jobs: string[]): Promise<void> => {
    const entry: WatchRecord = { service, key, jobs, startedAt: Date.now(), endedAt: 0, aborted: false, done: [], reconnects: 0 };
    record.watches.push(entry);
    openWatches += 1;
    return inCall(async () => {
      try {
        for await (const event of client.watchPrecheck(PROJECT, jobs, { signal: until.stopAll })) {
          if (event.type === 'done') entry.done.push(event.data.job_id);
        }
      } catch (error) {
        if (until.stopAll.aborted) entry.aborted = true;
        else entry.error = error instanceof GatewayClientError ? `${error.status} ${error.error_code}` : String(error);
      } finally {
        entry.endedAt = Date.now();
        openWatches -= 1;
      }
    });
  };

  const deliver = async (service: string, client: GatewayClient, key: string, jobs: string[], delivery: StartOutcome['delivery']): Promise<StartOutcome> => {
    const sentAt = Date.now();
    try {
      await inCall(() => client.startPrecheck(PROJECT, jobs.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' as const })), { idempotencyKey: key }));
      const outcome: StartOutcome = { service, key, jobs, delivery, sentAt, endedAt: Date.now(), accepted: true, status: 200 };
      record.starts.push(outcome);
      return outcome;
    } catch (error) {
      const failure = error instanceof GatewayClientError ? error : undefined;
      const outcome: StartOutcome = {
        service,
        key,
        jobs,
        delivery,
        sentAt,
        endedAt: Date.now(),
        accepted: false,
        status: failure?.status,
        errorCode: failure?.error_code ?? String(error),
        kind: failure?.kind,
        retryable: failure?.retryable,
      };
      if (failure?.kind === 'may-have-started') outcome.resolution = await inCall(() => resolveStart(client, jobs));
      record.starts.push(outcome);
      return outcome;
    }
  };

  const service = async (index: number): Promise<void> => {
    const name = `service-${index}`;
    const client = clientFor(name, 'drs:precheck', 4);
    for (let n = 1; !until.stopStarting.aborted; n += 1) {
      const key = `${name}-key-${n}`;
      const jobs = [jobIdFor(index, n)];
      record.keys.push({ key, jobs });
      const outcome = await deliver(name, client, key, jobs, 'first');
      if (outcome.accepted && openWatches < settings.maxWatches) track(watch(name, client, key, jobs));
      if (settings.random() < settings.redeliveryShare) {
        track(
          (async () => {
            await sleep(between([500, 2_500]));
            await deliver(name, client, key, jobs, 'redelivery');
          })(),
        );
      }
      await sleep(between(settings.pauseMs), until.stopStarting);
    }
  };

  const prober = async (): Promise<void> => {
    const client = clientFor('prober', `drs:precheck ${PROBE_TIER.scope}`, 1);
    const jobs = [jobIdFor(99, 1)];
    while (!until.stopStarting.aborted) {
      await inCall(() => client.getPrecheckResults(PROJECT, jobs)).catch((error: unknown) => readFailed('prober', error));
      await sleep(settings.proberIntervalMs, until.stopStarting);
    }
  };

  const saturate: Load['saturate'] = async ({ name, origin }, connections, durationS) => {
    const jobs = [jobIdFor(98, 1)];
    const options = {
      origin,
      path: `/v3/${PROJECT}/jobs/batch-precheck-result`,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokenFor('overload', 'drs:precheck')}` },
      body: JSON.stringify({ jobs }),
      connections,
      durationS,
    };
    const output = join(generator.dir, `overload-${name}.jsonl`);
    const child = generator.group.start(`overload-${name}`, process.execPath, [generator.script], {
      env: { PATH: process.env.PATH, CHAOS_SATURATE: JSON.stringify(options) },
      logFile: output,
      finishes: true,
    });
    await child.exited;
    let result: LoadResult | undefined;
    // Node's own warnings may share the file: only the generator's lines are JSON objects.
    for (const line of readFileSync(output, 'utf8').split('\n').filter((text) => text.startsWith('{'))) {
      const { answer, result: last } = JSON.parse(line) as GeneratorLine;
      if (answer !== undefined) {
        record.exchanges.push({ actor: 'overload', route: 'result', jobs, sentAt: answer.sentAt, answeredAt: answer.answeredAt, ...answerFields(answer.status, answer.body, (header) => answer.headers[header.toLowerCase()]) });
      }
      result = last ?? result;
    }
    if (result === undefined) throw new Error(`the generator against ${name} ended without a result; its output: ${output}`);
    rmSync(output);
    return result;
  };

  const finished = (async () => {
    await Promise.all([...Array.from({ length: settings.services }, (_, i) => service(i + 1)), prober()]);
    while (pending.size > 0) await Promise.all([...pending]);
    return record;
  })();
  return { saturate, finished };
};
