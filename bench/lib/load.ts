// One autocannon run in this process. autocannon's own histogram keeps whole milliseconds, too coarse for
// sub-millisecond targets, so every 2xx response time (hrtime-based, fractional ms) is kept and sorted here.
import autocannon from 'autocannon';
import { percentileOfSorted } from './stats';

export interface LoadOptions {
  /** Origin only, e.g. http://127.0.0.1:8080 (always a 127.0.0.1 address). */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationS: number;
  /** Headers that change per request (a fresh Idempotency-Key), added to `headers`. */
  perRequestHeaders?: () => Record<string, string>;
  /** Every answer with its body and headers, for a caller that checks what came back (the chaos run's overload phase). */
  onAnswer?: (answer: Answer) => void;
}

export interface Answer {
  /** When the request was handed to its connection (ms since the epoch). */
  sentAt: number;
  status: number;
  body: string;
  /** Names as the server wrote them (autocannon does not lower-case them); a repeated header gives an array. */
  headers: Record<string, string | string[] | undefined>;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  connections: number;
  elapsedS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second of the run. */
  rps: number;
  latencyMs: LatencySummary;
  statusCodes: Record<string, number>;
}

/** Live counters a caller may poll while the run is going (the soak samples memory at request milestones). */
export interface LiveCounters {
  ok: number;
}

const assertLocal = (origin: string): void => {
  const { hostname, protocol } = new URL(origin);
  if (protocol !== 'http:' || hostname !== '127.0.0.1') throw new Error(`the bench only targets http://127.0.0.1, not ${origin}`);
};

/** A connection carries one request at a time (no pipelining), so its context can hold that request's send time. */
interface SentContext {
  sentAt?: number;
}

const requestHooks = ({ headers, perRequestHeaders, onAnswer }: LoadOptions): autocannon.Request => ({
  setupRequest: (request: autocannon.Request, context: object) => {
    (context as SentContext).sentAt = Date.now();
    return perRequestHeaders === undefined ? request : { ...request, headers: { ...headers, ...perRequestHeaders() } };
  },
  ...(onAnswer && {
    onResponse: (status: number, body: string, context: object, answerHeaders: autocannon.Request['headers']) =>
      onAnswer({ sentAt: (context as SentContext).sentAt ?? Date.now(), status, body, headers: answerHeaders ?? {} }),
  }),
});

export const runLoad = (options: LoadOptions, live: LiveCounters = { ok: 0 }): Promise<LoadResult> => {
  assertLocal(options.origin);
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let ok = 0;
    let non2xx = 0;
    const statusCodes: Record<string, number> = {};
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: `${options.origin}${options.path}`,
        method: 'POST',
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.durationS,
        pipelining: 1,
        timeout: 10,
        ...((options.perRequestHeaders ?? options.onAnswer) && { requests: [requestHooks(options)] }),
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.subarray(0, ok).sort();
        let sum = 0;
        for (const value of sorted) sum += value;
        resolve({
          connections: options.connections,
          elapsedS,
          ok,
          non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          rps: ok / elapsedS,
          latencyMs: {
            p50: percentileOfSorted(sorted, 50),
            p90: percentileOfSorted(sorted, 90),
            p99: percentileOfSorted(sorted, 99),
            mean: ok === 0 ? Number.NaN : sum / ok,
            max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
          },
          statusCodes,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode >= 300) {
        non2xx += 1;
        return;
      }
      if (ok === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[ok] = responseTime;
      ok += 1;
      live.ok = ok;
    });
  });
};
