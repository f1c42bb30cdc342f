// When a cached IAM token should be refreshed and until when it may still be used.
import type { IamToken } from './IamToken';

/** A token this close to expiry is not sent: it could expire on the way to DRS. */
export const EXPIRY_GUARD_MS = 1_000;

/** The margin counts at most half the token's lifetime, so short-lived tokens are not refreshed on every use. */
export const refreshAt = (token: IamToken, marginMs: number): number =>
  token.expiresAt - Math.min(marginMs, (token.expiresAt - token.obtainedAt) / 2);

export const isUsable = (token: IamToken, now: number): boolean => now < token.expiresAt - EXPIRY_GUARD_MS;
