// The sandbox greeting: a ready bearer token and a curl line that runs a real pre-check through the gateway.
import jwt from 'jsonwebtoken';
import type { GatewayConfig } from '../config/schema';
import { drsPath } from '../drs/drsRouteTable';

export const SANDBOX_PROJECT_ID = '054ba152d480d55b2f5dc0069e7ddef0';
export const SANDBOX_JOB_ID = '140b5236-88ad-43c8-811c-1268453jb101';
const TOKEN_LIFETIME_S = 12 * 3600;

/** Only callable when the gateway made up its own HS256 secret, so the token it mints is for this sandbox alone. */
export const sandboxToken = (config: GatewayConfig): string =>
  jwt.sign({ scope: 'drs:precheck gateway:admin', projects: ['*'] }, config.jwt.secret as string, {
    algorithm: 'HS256',
    subject: 'sandbox-user',
    expiresIn: TOKEN_LIFETIME_S,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });

export const sandboxBanner = (url: string, token: string): string => {
  const body = JSON.stringify({ jobs: [{ job_id: SANDBOX_JOB_ID, precheck_mode: 'forStartJob' }] });
  return [
    '',
    `DRS Pre-check Gateway sandbox listening on ${url}`,
    '(embedded DRS/IAM simulator, in-memory stores, generated signing secret: development only)',
    '',
    'Bearer token (valid 12 h, scopes drs:precheck gateway:admin, all projects):',
    token,
    '',
    'Start a pre-check:',
    `curl -sS -X POST ${url}${drsPath(SANDBOX_PROJECT_ID, 'batch-precheck')} -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '${body}'`,
    '',
    'Then read its progress (it reaches "100%" in a few seconds):',
    `curl -sS -X POST ${url}${drsPath(SANDBOX_PROJECT_ID, 'batch-precheck-result')} -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '${JSON.stringify({ jobs: [SANDBOX_JOB_ID] })}'`,
    '',
  ].join('\n');
};
