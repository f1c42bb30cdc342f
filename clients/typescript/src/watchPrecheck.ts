// Follows the progress stream over fetch, parses it with eventsource-parser, and reconnects for the jobs still open.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayClientError, isProblem, NETWORK_ERROR_CODE, networkError, unreadableEventError } from './errors.js';
import type { components } from './openapi.js';
import { backoffMs, sleep } from './retry.js';

type ResultItem = NonNullable<components['schemas']['BatchPrecheckResultResponse']['results']>[number];

/** DRS's result item for the job, as the gateway streams it. */
export type ProgressData = ResultItem & { job_id: string };

/** The job's last word; error_code GW.3004 means DRS stopped reporting the job. */
export interface DoneData {
  job_id: string;
  result?: boolean;
  total_passed_rate?: string;
  error_code?: string;
  error_msg?: string;
}

export type PrecheckEvent = { type: 'progress'; data: ProgressData } | { type: 'done'; data: DoneData };

export interface WatchSettings {
  /** Reconnections in a row without a single event before the watch gives up. */
  maxFailures: number;
  /**
   * A connection silent for this long (no event, no keep-alive comment, which the gateway sends every 15 s) is
   * taken for dead and replaced: a half-open connection would otherwise wait forever.
   */
  idleTimeoutMs: number;
  baseDelayMs: number;
  /** Also the longest Retry-After a refused reconnection will wait for. */
  maxDelayMs: number;
  random: () => number;
}

export type ReconnectReason = 'dropped' | 'max-lifetime' | 'token-expired' | 'refused';

export interface ReconnectNotice {
  reason: ReconnectReason;
  /** Reconnections in a row without an event, this one included. */
  failures: number;
  delayMs: number;
  /** The jobs asked for again. */
  jobIds: string[];
}

export interface StreamPlan {
  jobIds: string[];
  signal: AbortSignal | undefined;
  settings: WatchSettings;
  onReconnect: ((notice: ReconnectNotice) => void) | undefined;
  /** Opens one stream for the given jobs; throws GatewayClientError when the gateway refuses it. */
  connect: (jobIds: string[], signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
}

const TOKEN_EXPIRED = 'GW.1003';
const STREAM_EVENTS: ReadonlySet<string> = new Set(['progress', 'done', 'error', 'end']);

/** Why one connection ended without every job done. */
interface Interruption {
  reason: ReconnectReason;
  /** The connection delivered at least one progress or done event. */
  progressed: boolean;
  error: GatewayClientError;
}

/** Cuts one connection when it stays silent while the client waits on it; paused while events are handed out. */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal = this.controller.signal;

  constructor(parent: AbortSignal, private readonly timeoutMs: number) {
    parent.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true, signal: this.signal });
  }

  arm(): void {
    this.disarm();
    this.timer = setTimeout(() => this.controller.abort(networkError(new Error(`no data for ${this.timeoutMs} ms`), 'precheck-progress', undefined, true)), this.timeoutMs);
  }

  disarm(): void {
    clearTimeout(this.timer);
  }
}

/** Every event the gateway sends carries a JSON object; anything else (`null`, a number, broken JSON) ends the watch. */
const parseData = (message: EventSourceMessage): Record<string, unknown> => {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch (error) {
    throw unreadableEventError(message.event ?? 'message', error);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw unreadableEventError(message.event ?? 'message');
  return data as Record<string, unknown>;
};

const signature = (data: ProgressData): string => JSON.stringify([data.process, data.total_passed_rate, data.result, data.error_code]);

export async function* followStream(plan: StreamPlan): AsyncGenerator<PrecheckEvent, void, undefined> {
  const { settings, signal } = plan;
  if (signal?.aborted) throw signal.reason;
  const open = new Set(plan.jobIds);
  const lastSent = new Map<string, string>();
  // Our own controller: ending the iteration early (break, return) must close the connection too.
  const local = new AbortController();
  const onAbort = (): void => local.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let failures = 0;
  try {
    while (open.size > 0) {
      const jobIds = [...open];
      let interruption: Interruption;
      let delayMs: number;
      let body: ReadableStream<Uint8Array>;
      const watchdog = new Watchdog(local.signal, settings.idleTimeoutMs);
      try {
        watchdog.arm();
        body = await plan.connect(jobIds, watchdog.signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (!(error instanceof GatewayClientError) || !error.retryable) throw error;
        failures += 1;
        delayMs = error.retryAfterMs ?? backoffMs(failures, settings);
        if (failures > settings.maxFailures || delayMs > settings.maxDelayMs) throw error;
        plan.onReconnect?.({ reason: error.error_code === NETWORK_ERROR_CODE ? 'dropped' : 'refused', failures, delayMs, jobIds });
        await sleep(delayMs, signal);
        continue;
      } finally {
        watchdog.disarm();
      }

      const connection = readConnection(body, open, lastSent, watchdog);
      for (;;) {
        let step: IteratorResult<PrecheckEvent, Interruption | undefined>;
        try {
          step = await connection.next();
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw error;
        }
        if (step.done) {
          if (step.value === undefined) return;
          interruption = step.value;
          break;
        }
        yield step.value;
      }

      if (signal?.aborted) throw signal.reason;
      if (interruption.progressed) failures = 0;
      failures += 1;
      if (failures > settings.maxFailures) throw interruption.error;
      // A server-side close or an expired token is no fault of the network: come back at once.
      delayMs = interruption.reason === 'dropped' || interruption.reason === 'refused' ? backoffMs(failures, settings) : 0;
      plan.onReconnect?.({ reason: interruption.reason, failures, delayMs, jobIds: [...open] });
      await sleep(delayMs, signal);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    local.abort();
  }
}

/**
 * Yields one connection's events for open jobs (removing each from `open` at its done), and returns undefined when
 * every job is done or what ended the connection otherwise. Throws GatewayClientError on a final `error` event.
 */
async function* readConnection(body: ReadableStream<Uint8Array>, open: Set<string>, lastSent: Map<string, string>, watchdog: Watchdog): AsyncGenerator<PrecheckEvent, Interruption | undefined, undefined> {
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => messages.push(message) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  // Cancelling the reader ends a pending read even when a custom fetch does not tie the body to the signal.
  const cut = (): void => void reader.cancel(watchdog.signal.reason).catch(() => undefined);
  watchdog.signal.addEventListener('abort', cut, { once: true });
  let progressed = false;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        watchdog.arm();
        chunk = await reader.read();
      } catch (error) {
        return { reason: 'dropped', progressed, error: error instanceof GatewayClientError ? error : networkError(error, 'precheck-progress', undefined, true) };
      } finally {
        watchdog.disarm();
      }
      if (chunk.done) {
        const cause = watchdog.signal.aborted ? watchdog.signal.reason : new Error('the progress stream closed before every job was done');
        return { reason: 'dropped', progressed, error: cause instanceof GatewayClientError ? cause : networkError(cause, 'precheck-progress', undefined, true) };
      }
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (messages.length > 0) {
        const message = messages.shift() as EventSourceMessage;
        // Events this client does not know (a newer gateway's) are skipped, not misread.
        if (!STREAM_EVENTS.has(message.event ?? 'message')) continue;
        const data = parseData(message);
        if (message.event === 'progress') {
          const progress = data as ProgressData;
          if (!open.has(progress.job_id) || lastSent.get(progress.job_id) === signature(progress)) continue;
          lastSent.set(progress.job_id, signature(progress));
          progressed = true;
          yield { type: 'progress', data: progress };
        } else if (message.event === 'done') {
          const done = data as unknown as DoneData;
          if (!open.delete(done.job_id)) continue;
          progressed = true;
          yield { type: 'done', data: done };
          if (open.size === 0) return undefined;
        } else if (message.event === 'error') {
          if (!isProblem(data)) throw unreadableEventError('error');
          const error = new GatewayClientError({ problem: data, idempotent: true });
          if (error.error_code === TOKEN_EXPIRED) return { reason: 'token-expired', progressed, error };
          // A failure a read may repeat (DRS or IAM unreachable, a circuit open, DRS's 5xx or a lost answer persisting)
          // ends one stream, not the pre-check, as it ends no getPrecheckResults call: the chaos run saw watches of
          // running jobs end for good on GW.3006 and GW.3004 while DRS came back seconds later.
          if (error.retryable) return { reason: 'refused', progressed, error };
          throw error;
        } else if (message.event === 'end') {
          return { reason: 'max-lifetime', progressed, error: networkError(new Error(`the gateway ended the stream: ${String(data.reason)}`), 'precheck-progress', undefined, true) };
        }
      }
    }
  } finally {
    watchdog.signal.removeEventListener('abort', cut);
    reader.cancel().catch(() => undefined);
  }
}
