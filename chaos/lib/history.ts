// What one experiment records, with times (ms since the epoch): every HTTP exchange a client saw, every client-level
// outcome, every watch, every DRS start, every fault window, memory samples and unexpected exits.
import type { StartRecord } from '../../src/simulator/startSimulator';
import type { Crash } from './processes';

export type Route = 'start' | 'result' | 'progress';

/** One HTTP attempt as the client's fetch saw it (a typed-client retry is a second exchange). */
export interface Exchange {
  actor: string;
  route: Route;
  key?: string;
  jobs: string[];
  /** The typed-client call it belongs to (its retries and reconnections share it); none for the overload generator's. */
  call?: number;
  sentAt: number;
  answeredAt: number;
  /** 0: no answer (the connection failed). */
  status: number;
  /** From a problem body; undefined for a 200 or an answer that is not a problem. */
  errorCode?: string;
  /** Content-Type application/problem+json. */
  problem: boolean;
  replayed: boolean;
  /** The RateLimit header as sent. */
  rateLimit?: string;
  /** An error answer's Retry-After header as sent. */
  retryAfter?: string;
  networkError?: string;
  /** The start of an error answer that is not a problem (a proxy's own page), to tell who wrote it. */
  foreignBody?: string;
}

/** One startPrecheck call as the service saw it, retries included. */
export interface StartOutcome {
  service: string;
  key: string;
  jobs: string[];
  delivery: 'first' | 'redelivery';
  sentAt: number;
  endedAt: number;
  accepted: boolean;
  status?: number;
  errorCode?: string;
  kind?: string;
  retryable?: boolean;
  /** After a may-have-started failure: what batch-precheck-result said about the jobs (the documented rule). */
  resolution?: 'started' | 'not-started' | 'unknown';
}

/** A failed read (result query) of the typed client, for the classification check. */
export interface ReadFailure {
  actor: string;
  at: number;
  status: number;
  errorCode: string;
  kind: string;
  retryable: boolean;
}

export interface WatchRecord {
  service: string;
  key: string;
  jobs: string[];
  startedAt: number;
  endedAt: number;
  aborted: boolean;
  done: string[];
  reconnects: number;
  error?: string;
}

/** The overload phase's name: the checker holds the gateways to bounded memory and documented answers inside it. */
export const OVERLOAD = 'overload';

export interface FaultWindow {
  name: string;
  detail: string;
  start: number;
  end: number;
}

export interface RssSample {
  at: number;
  instance: string;
  pid: number;
  rssMb: number;
}

export interface History {
  mode: 'full' | 'short';
  startedAt: number;
  loadEndedAt: number;
  endedAt: number;
  exchanges: Exchange[];
  starts: StartOutcome[];
  readFailures: ReadFailure[];
  watches: WatchRecord[];
  drsStarts: StartRecord[];
  faults: FaultWindow[];
  rss: RssSample[];
  /** The gateway container's memory limit in the Deployment; MB here are MiB, in the samples as in the limit. */
  rssLimitMb: number;
  /** How the gateways' memory was bounded: a cgroup each with that limit, or why not. */
  gatewayMemory: string;
  crashes: Crash[];
  probeTier: { name: string; max: number; windowMs: number };
  /** Unique keys the services used. */
  keys: Array<{ key: string; jobs: string[] }>;
  hostLoad: { foreignCores: number };
}
