// Fault switches of one simulator instance: which DRS/IAM requests misbehave, how, and for how many requests.
import type { DrsRouteName } from '../drs/drsRouteTable';

export type IamErrorShape = 'flat' | 'nested' | 'keystone';

interface FaultBase {
  /** Apply to the next N matching requests only, then disappear; omitted = until cleared. */
  times?: number;
  /** Delay before answering (or before misbehaving, when a kind is set too). */
  latencyMs?: number;
}

/** Kinds both services can suffer; a fault without a kind only adds latency. */
export type SharedFaultKind =
  | { kind?: undefined }
  /** Any status; without `body` a realistic APIG/IAM error body for that status is sent. A string body is sent verbatim. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** An nginx-style HTML error page (502 unless `status` says otherwise). */
  | { kind: 'html'; status?: number }
  /** Success status with a truncated JSON body. */
  | { kind: 'malformed' }
  /** Success status with valid JSON of the wrong shape (DRS: no results/count; IAM: no token.expires_at). */
  | { kind: 'wrongShape' }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Answer the success status and headers with half of a valid body, then destroy the socket. */
  | { kind: 'cutOff' }
  /** Read the request and never answer; stop() still ends it. */
  | { kind: 'hang' }
  /** A redirect (302 unless `status` says otherwise) to `location` (default /__sim/redirected). */
  | { kind: 'redirect'; status?: number; location?: string }
  /** Success status with a valid JSON body of `bytes` (default 5 MiB). */
  | { kind: 'oversize'; bytes?: number }
  /** DRS: 401 APIG.0301 even for a good token. IAM: 401 IAM.0001. */
  | { kind: 'unauthorized' }
  /** DRS: 429 APIG.0308. IAM: 429 IAM.0012. `Retry-After` is `retryAfter` (default "7"; null omits it). */
  | { kind: 'throttle'; retryAfter?: string | null }
  /** Answer normally but without X-Request-Id. */
  | { kind: 'noRequestId' };

/**
 * `route` limits the fault to one DRS route of the table; omitted = every route. `job` limits it to requests whose body names that job
 * ID, so one batch of a project can fail while the others are answered.
 */
export type DrsFault = FaultBase & { route?: DrsRouteName; job?: string } & (SharedFaultKind | { kind: 'drsThrottle' });

export type IamFault = FaultBase &
  (
    | SharedFaultKind
    /** 503, IAM-shaped body. */
    | { kind: 'down' }
    /** 401 IAM.0062 as for a wrong password, in the current iamErrorShape. */
    | { kind: 'badCredentials' }
  );

export interface TokenTtlFault {
  /** Zero or negative: the token is already expired when issued. */
  ttlMs: number;
  times?: number;
}

/** What faults.set() and PUT /__sim/faults accept. A given field replaces that switch; null clears it. */
export interface FaultSettings {
  /** One fault, or a queue: each request takes the first matching entry, which counts down its own `times`. */
  drs?: DrsFault | DrsFault[] | null;
  iam?: IamFault | IamFault[] | null;
  /** Body shape of IAM errors; persists until changed or cleared. Default 'flat'. */
  iamErrorShape?: IamErrorShape | null;
  /** Lifetime of newly issued tokens: a number applies until cleared, an object for its `times` tokens. */
  iamTokenTtlMs?: number | TokenTtlFault | null;
}

export interface FaultSnapshot {
  drs: DrsFault[];
  iam: IamFault[];
  iamErrorShape: IamErrorShape;
  iamTokenTtl: TokenTtlFault | null;
}

export interface Faults {
  set(settings: FaultSettings): void;
  clear(): void;
  snapshot(): FaultSnapshot;
}

/** The simulator's own side: consuming faults as requests arrive. */
export interface FaultController extends Faults {
  /** `jobIds`: the job IDs the request body names (none when it is not a pre-check body). */
  takeDrs(route: DrsRouteName, jobIds: readonly string[]): DrsFault | undefined;
  takeIam(): IamFault | undefined;
  takeTokenTtl(): number | undefined;
  iamErrorShape(): IamErrorShape;
}

interface Armed<F> {
  fault: F;
  remaining: number;
}

const arm = <F extends { times?: number }>(value: F | F[] | null | undefined): Armed<F>[] =>
  (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]).map((fault) => ({
    fault: structuredClone(fault),
    remaining: fault.times ?? Number.POSITIVE_INFINITY,
  }));

/** Takes the first entry that matches, counting down its `times` and dropping it when spent. */
const take = <F>(queue: Armed<F>[], matches: (fault: F) => boolean): F | undefined => {
  const index = queue.findIndex((entry) => matches(entry.fault));
  if (index < 0) return undefined;
  const entry = queue[index];
  if (entry === undefined) return undefined;
  entry.remaining -= 1;
  if (entry.remaining <= 0) queue.splice(index, 1);
  return entry.fault;
};

const remainingTimes = <F extends { times?: number }>(entry: Armed<F>): F =>
  Number.isFinite(entry.remaining) ? { ...entry.fault, times: entry.remaining } : { ...entry.fault };

export const createFaults = (): FaultController => {
  let drs: Armed<DrsFault>[] = [];
  let iam: Armed<IamFault>[] = [];
  let shape: IamErrorShape = 'flat';
  let tokenTtl: Armed<TokenTtlFault>[] = [];

  return {
    set: (settings) => {
      if (settings.drs !== undefined) drs = arm(settings.drs);
      if (settings.iam !== undefined) iam = arm(settings.iam);
      if (settings.iamErrorShape !== undefined) shape = settings.iamErrorShape ?? 'flat';
      if (settings.iamTokenTtlMs !== undefined) {
        const ttl = settings.iamTokenTtlMs;
        tokenTtl = arm(typeof ttl === 'number' ? { ttlMs: ttl } : ttl);
      }
    },
    clear: () => {
      drs = [];
      iam = [];
      shape = 'flat';
      tokenTtl = [];
    },
    snapshot: () => ({
      drs: drs.map(remainingTimes),
      iam: iam.map(remainingTimes),
      iamErrorShape: shape,
      iamTokenTtl: tokenTtl[0] === undefined ? null : remainingTimes(tokenTtl[0]),
    }),
    takeDrs: (route, jobIds) =>
      drs.length === 0
        ? undefined
        : take(drs, (fault) => (fault.route === undefined || fault.route === route) && (fault.job === undefined || jobIds.includes(fault.job))),
    takeIam: () => (iam.length === 0 ? undefined : take(iam, () => true)),
    takeTokenTtl: () => (tokenTtl.length === 0 ? undefined : take(tokenTtl, () => true)?.ttlMs),
    iamErrorShape: () => shape,
  };
};
