// Checks the path's project_id and X-Language, then the project against the caller's projects claim.
import type { NextFunction, Request, Response } from 'express';
import { requireProject } from '../auth';
import { languageSchema, projectIdSchema } from '../validation/schemas';
import { validateField } from '../validation/validate';
import { localsOf } from './requestContext';

/** Path and header problems are found before the project check, so a bad project ID is a 400 not a 403. */
export const authorizeProject = (req: Request, res: Response, next: NextFunction): void => {
  const projectId = validateField(projectIdSchema, req.params.project_id, { parameter: 'project_id' });
  const language = req.get('x-language');
  if (language !== undefined) validateField(languageSchema, language, { header: 'X-Language' });
  requireProject(localsOf(res).caller!, projectId);
  next();
};

