// Request counters and the recent DRS requests of one instance, so tests can assert exactly what a client sent.
import type { IncomingHttpHeaders } from 'node:http';
import type { DrsRouteName } from '../drs/drsRouteTable';
import type { IamUser } from './IamUser';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  route: DrsRouteName;
  /** Node lowercases header names; repeated headers are joined as Node joins them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it did not parse; undefined when empty. */
  body: unknown;
  receivedAt: number;
}

export interface SimulatorStats {
  iamTokenRequests: number;
  drsRequests: number;
  drsRequestsByRoute: Record<string, number>;
  /** DRS requests whose token was accepted, by the IAM user it was issued to (`domain/name`): which credential a gateway used. */
  drsRequestsByUser: Record<string, number>;
  /** The last RECORDED_REQUEST_LIMIT DRS requests, oldest first (not kept in fast mode). */
  requests: RecordedRequest[];
}

export interface StatsRecorder {
  countIam(): void;
  countDrs(route: DrsRouteName): void;
  countDrsUser(user: IamUser): void;
  record(request: RecordedRequest): void;
  snapshot(): SimulatorStats;
  reset(): void;
}

export const RECORDED_REQUEST_LIMIT = 100;

export const createStats = (): StatsRecorder => {
  let iamTokenRequests = 0;
  let drsRequests = 0;
  let byRoute: Record<string, number> = {};
  let byUser: Record<string, number> = {};
  let requests: RecordedRequest[] = [];
  return {
    countIam: () => {
      iamTokenRequests += 1;
    },
    countDrs: (route) => {
      drsRequests += 1;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
    },
    countDrsUser: (user) => {
      const name = `${user.domain}/${user.name}`;
      byUser[name] = (byUser[name] ?? 0) + 1;
    },
    record: (request) => {
      requests.push(request);
      if (requests.length > RECORDED_REQUEST_LIMIT) requests.shift();
    },
    snapshot: () => ({ iamTokenRequests, drsRequests, drsRequestsByRoute: { ...byRoute }, drsRequestsByUser: { ...byUser }, requests: [...requests] }),
    reset: () => {
      iamTokenRequests = 0;
      drsRequests = 0;
      byRoute = {};
      byUser = {};
      requests = [];
    },
  };
};
