// Checks the path's project_id and X-Language, then the project against the caller's projects claim.
import type { Request } from 'express';
import { requireProject, type Caller } from '../auth';
import { languageSchema, projectIdSchema } from '../validation/schemas';
import { validateField } from '../validation/validate';

/** Path and header problems are found before the project check, so a bad project ID is a 400 not a 403. */
export const authorizeProject = (req: Request, caller: Caller): string => {
  const projectId = validateField(projectIdSchema, req.params.project_id, { parameter: 'project_id' });
  const language = req.get('x-language');
  if (language !== undefined) validateField(languageSchema, language, { header: 'X-Language' });
  requireProject(caller, projectId);
  return projectId;
};
