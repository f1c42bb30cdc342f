// A project-scoped IAM token as the gateway keeps it; the value is a secret and is never logged.
import type { RequestTrail } from '../telemetry/RequestTrail';

export interface IamToken {
  value: string;
  /** Epoch milliseconds from `token.expires_at`. */
  expiresAt: number;
  /** Epoch milliseconds when the gateway received it; with expiresAt it gives the lifetime. */
  obtainedAt: number;
  /** Set when this instance took it from the shared Redis level rather than from IAM itself. */
  sharedCopy?: boolean;
}

export interface FetchOptions {
  /**
   * DRS refused a token at this instant: a token obtained by then (a copy another instance shared) may be refused
   * too (IAM revokes every token of a user at once), so only one obtained later will do.
   */
  obtainedAfter?: number;
}

/** Fetches a fresh token from IAM; the seam the cache is tested through. */
export interface IamTokenFetcher {
  /** `parent`: the request whose miss started the fetch; when traced, the IAM call's span is its child. */
  fetchToken(projectId: string, parent?: Pick<RequestTrail, 'trace'>, options?: FetchOptions): Promise<IamToken>;
}
