// The auth module's public surface for the HTTP layer and the composition root.
export type { AuthLogger } from './AuthLogger';
export type { Caller } from './Caller';
export type { TokenVerifier } from './TokenVerifier';
export type { JwksKeySource } from './JwksKeySource';
export { createTokenVerifier, type TokenVerifierOptions } from './createTokenVerifier';
export { createProjectAccess, requireProject, requireScope, type AccessSettings, type ProjectAccess, type RequiredScope } from './authorize';
