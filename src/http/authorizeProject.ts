// Checks the path's project_id and X-Language, then that the project is served and granted to the caller.
import type { Request } from 'express';
import { requireProject, type Caller } from '../auth';
import type { Runtime, ServedProject } from '../topology/Runtime';
import { languageSchema, projectIdSchema } from '../validation/schemas';
import { validateField } from '../validation/validate';

/** Path and header problems are found before the project check, so a bad project ID is a 400 not a 403. */
export const authorizeProject = (req: Request, caller: Caller, runtime: Pick<Runtime, 'resolve' | 'access'>): { projectId: string; project: ServedProject } => {
  const projectId = validateField(projectIdSchema, req.params.project_id, { parameter: 'project_id' });
  const language = req.get('x-language');
  if (language !== undefined) validateField(languageSchema, language, { header: 'X-Language' });
  const project = runtime.resolve(projectId);
  requireProject(caller, projectId, runtime.access, project !== undefined);
  return { projectId, project: project as ServedProject };
};
