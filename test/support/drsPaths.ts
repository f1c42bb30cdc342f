// The gateway paths of the DRS routes for the test project, from the route table (drsPath), so tests do not spell them out.
import { drsPath } from '../../src/drs/drsRouteTable';
import { PROJECT } from './tokens';

/** POST: start pre-checks. */
export const PRECHECK = drsPath(PROJECT, 'batch-precheck');
/** POST: read pre-check results. */
export const RESULT = drsPath(PROJECT, 'batch-precheck-result');
