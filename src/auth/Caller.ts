// The authenticated caller as the rest of the gateway sees it, reduced from verified JWT claims.
export interface Caller {
  /** The `sub` claim: rate-limit key and audit identity. */
  sub: string;
  scopes: ReadonlySet<string>;
  /** `'all'` when the `projects` claim holds `"*"`; an empty set when the claim is missing or invalid. */
  projects: 'all' | ReadonlySet<string>;
  /** Epoch ms from which the verifier answers GW.1003 for this token: `exp` plus the clock tolerance. */
  expiresAt: number;
  /** The calling application: `azp`, else `client_id`, when it is a short safe token (it is logged). */
  client?: string;
  /** The verified claims, for checks whose claim names are configuration (access.groupsClaim). */
  claims: Readonly<Record<string, unknown>>;
}
