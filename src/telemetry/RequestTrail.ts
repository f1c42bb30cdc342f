// What one request did on its way, filled in by the steps that learn it and read once when it ends (access and audit lines).
import type { RequestSpans } from './RequestSpans';

/** Where the IAM token came from: this instance's memory, the shared Redis level, or a fetch from IAM. */
export type TokenOrigin = 'memory' | 'redis' | 'iam';

/**
 * A plain object created with the request, so the use case, forwarder and token cache write to it without knowing
 * Express; every field is a fixed word, a configured name or a number, so the whole trail is safe to log (but for
 * `trace`, which no log line reads).
 */
export interface RequestTrail {
  projectId?: string;
  region?: string;
  tokenSource?: TokenOrigin;
  /** The refusing limiter by its RateLimit-Policy name (`ip`, `caller`, a tier) or `project-budget`, `progress-streams`. */
  limiter?: string;
  /** The code the caller received (the gateway's, or DRS's when passed through). */
  errorCode?: string;
  /** The last DRS answer's status; absent when none came. */
  upstreamStatus?: number;
  /** Time spent in DRS calls, the replay after a refused token included. */
  upstreamMs?: number;
  upstreamRequestId?: string;
  /** Set only when tracing is on: the inbound span, under which the limiter, IAM and DRS steps open theirs. */
  trace?: RequestSpans;
}
