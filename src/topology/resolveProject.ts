// Turns the configured projects into one look-up: project -> the region and credential that serve it, or not served at all.
import { DEFAULT_NAME, type GatewayConfig } from '../config/schema';

export interface ProjectPlacement {
  region: string;
  credential: string;
  /** Jobs per window batch-precheck may start: the project's jobBudget, else PROJECT_JOB_BUDGET; undefined: no budget. */
  jobBudget?: number;
}

export type TopologySettings = Pick<GatewayConfig, 'projects'> & { rateLimit: Pick<GatewayConfig['rateLimit'], 'projectJobBudget'> };

/** undefined: the gateway does not serve the project (403 GW.1005 before anything else happens). */
export type ResolveProject<T> = (projectId: string) => T | undefined;

/**
 * Builds `place` once per project (once in all without a projects list), so resolving a request is one Map look-up.
 * Every reference is the loader's to check (loadConfig refuses a project naming an unknown region or credential, and a
 * missing `default` without a projects list), so a configuration reaches this only with references that hold.
 */
export const createProjectResolver = <T>(settings: TopologySettings, place: (placement: ProjectPlacement) => T): ResolveProject<T> => {
  const fallback = settings.rateLimit.projectJobBudget;
  if (settings.projects === undefined) {
    const everyProject = place({ region: DEFAULT_NAME, credential: DEFAULT_NAME, jobBudget: fallback });
    return () => everyProject;
  }
  const served = new Map(Object.entries(settings.projects).map(([id, p]) => [id, place({ region: p.region, credential: p.credential, jobBudget: p.jobBudget ?? fallback })]));
  return (projectId) => served.get(projectId);
};
