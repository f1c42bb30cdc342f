// Turns the configured projects, regions and credentials into one look-up: project -> where it is served, or not at all.
import { ConfigError, type ConfigProblem } from '../config/ConfigError';
import { DEFAULT_NAME, type GatewayConfig } from '../config/schema';

export interface ProjectPlacement {
  region: string;
  credential: string;
  /** Jobs per window batch-precheck may start: the project's jobBudget, else PROJECT_JOB_BUDGET; undefined: no budget. */
  jobBudget?: number;
}

export type TopologySettings = Pick<GatewayConfig, 'regions' | 'credentials' | 'projects'> & { rateLimit: Pick<GatewayConfig['rateLimit'], 'projectJobBudget'> };

/** undefined: the gateway does not serve the project (403 GW.1005 before anything else happens). */
export type ResolveProject<T> = (projectId: string) => T | undefined;

/** Every problem at once, as loadConfig reports them, so a reload can be refused with the whole list. */
const problemsOf = (settings: TopologySettings): ConfigProblem[] => {
  const problems: ConfigProblem[] = [];
  const need = (ok: boolean, key: string, problem: string) => {
    if (!ok) problems.push({ key, problem });
  };
  if (settings.projects === undefined) {
    need(DEFAULT_NAME in settings.regions, 'regions', `must name a region "${DEFAULT_NAME}" when there is no projects list (every project goes there)`);
    need(DEFAULT_NAME in settings.credentials, 'credentials', `must name a credential "${DEFAULT_NAME}" when there is no projects list`);
  }
  for (const [projectId, project] of Object.entries(settings.projects ?? {})) {
    need(Object.hasOwn(settings.regions, project.region), `projects.${projectId}.region`, 'names no configured region');
    need(Object.hasOwn(settings.credentials, project.credential), `projects.${projectId}.credential`, 'names no configured credential');
  }
  return problems;
};

/**
 * Builds `place` once per project (once in all without a projects list), so resolving a request is one Map look-up.
 * Throws a ConfigError when a project names a region or credential that does not exist.
 */
export const createProjectResolver = <T>(settings: TopologySettings, place: (placement: ProjectPlacement) => T): ResolveProject<T> => {
  const problems = problemsOf(settings);
  if (problems.length > 0) throw new ConfigError(problems);
  const fallback = settings.rateLimit.projectJobBudget;
  if (settings.projects === undefined) {
    const everyProject = place({ region: DEFAULT_NAME, credential: DEFAULT_NAME, jobBudget: fallback });
    return () => everyProject;
  }
  const served = new Map(Object.entries(settings.projects).map(([id, p]) => [id, place({ region: p.region, credential: p.credential, jobBudget: p.jobBudget ?? fallback })]));
  return (projectId) => served.get(projectId);
};
