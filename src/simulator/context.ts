// Everything one simulator instance's request handlers share; built once per startSimulator() call.
import type { Clock } from '../clock';
import type { Delays } from './delays';
import type { FaultController } from './faults';
import type { SimulatedDrsRoute } from './handleDrs';
import type { JobStore } from './jobStore';
import type { IamUser } from './IamUser';
import type { StatsRecorder } from './stats';
import type { TokenStore } from './tokens';

export interface SimulatorContext {
  clock: Clock;
  users: readonly IamUser[];
  tokenTtlMs: number;
  precheckDurationMs: number;
  autoCreateJobs: boolean;
  fast: boolean;
  tokens: TokenStore;
  jobs: JobStore;
  faults: FaultController;
  stats: StatsRecorder;
  delays: Delays;
  /** The DRS routes of the table it was started with, by name. */
  drsRoutes: ReadonlyMap<string, SimulatedDrsRoute>;
  nextRequestId: () => string;
  /** The simulator's own URL, for the IAM catalog; known only once listening. */
  baseUrl: () => string;
}
