// The body of a 201 from POST /v3/auth/tokens (reference §3.3), built from the token record.
import { formatIamTime } from './formatIamTime';
import { stableId } from './stableId';
import type { IssuedToken } from './tokens';

/** The region the simulator pretends to be; a project scoped by ID reports it as its name, as default projects do. */
export const SIMULATED_REGION = 'cn-north-4';

interface Named {
  id: string;
  name: string;
}

const catalogEntry = (type: string, baseUrl: string): object => ({
  endpoints: [{ id: stableId('endpoint', type), interface: 'public', region: SIMULATED_REGION, region_id: SIMULATED_REGION, url: baseUrl }],
  id: stableId('service', type),
  name: type,
  type,
});

/** `nocatalog` empties the catalog, which is what makes real token responses small. */
export const iamTokenBody = (record: IssuedToken, domainScope: Named | null, noCatalog: boolean, baseUrl: string): object => {
  const domain: Named = { id: stableId('domain', record.user.domain), name: record.user.domain };
  const token: Record<string, unknown> = {
    catalog: noCatalog ? [] : [catalogEntry('drs', baseUrl), catalogEntry('identity', baseUrl)],
    expires_at: formatIamTime(record.expiresAt),
    issued_at: formatIamTime(record.issuedAt),
    methods: ['password'],
  };
  if (record.scope !== null) token.project = { domain, id: record.scope.projectId, name: record.scope.projectName };
  if (domainScope !== null) token.domain = domainScope;
  token.roles = [{ id: stableId('role', 'te_admin'), name: 'te_admin' }];
  token.user = {
    domain,
    id: stableId('user', `${record.user.domain}/${record.user.name}`),
    name: record.user.name,
    password_expires_at: '',
  };
  return { token };
};
