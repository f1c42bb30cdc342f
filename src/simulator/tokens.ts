// IAM tokens the simulator has issued: opaque CMS-looking strings, each bound to a user, a project and an expiry.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { IamUser } from './IamUser';

export interface TokenScope {
  projectId: string;
  projectName: string;
}

export interface IssuedToken {
  token: string;
  user: IamUser;
  /** Null for a token scoped to the domain (or unscoped): DRS refuses those. */
  scope: TokenScope | null;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { ok: true; record: IssuedToken }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface TokenStore {
  issue(user: IamUser, scope: TokenScope | null, ttlMs: number): IssuedToken;
  check(token: string): TokenCheck;
  /** Invalidates every token issued so far; returns how many were still valid. */
  revokeAll(): number;
  issuedCount(): number;
}

/** DER header of a CMS SignedData blob (SEQUENCE, 2-byte length, OID 1.2.840.113549.1.7.2): base64 starts "MII…AYJKoZIhvcNAQcC". */
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
/** Real tokens run 1–9 KB; 3 KB exercises header-size handling without bloating benchmarks. */
const TOKEN_CONTENT_BYTES = 3000;

/** Keystone's PKI tokens are base64 with "/" swapped for "-"; the length bytes keep the "MII" prefix. */
const mintToken = (): string => {
  const content = Buffer.concat([SIGNED_DATA_OID, randomBytes(TOKEN_CONTENT_BYTES - SIGNED_DATA_OID.length)]);
  const header = Buffer.from([0x30, 0x82, content.length >> 8, content.length & 0xff]);
  return Buffer.concat([header, content]).toString('base64').replace(/\//g, '-');
};

export const createTokenStore = (clock: Clock): TokenStore => {
  const tokens = new Map<string, IssuedToken>();
  return {
    issue: (user, scope, ttlMs) => {
      const issuedAt = clock.now();
      const record: IssuedToken = { token: mintToken(), user, scope, issuedAt, expiresAt: issuedAt + ttlMs, revoked: false };
      tokens.set(record.token, record);
      return record;
    },
    check: (token) => {
      const record = tokens.get(token);
      if (record === undefined) return { ok: false, reason: 'unknown' };
      if (record.revoked) return { ok: false, reason: 'revoked' };
      if (clock.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
      return { ok: true, record };
    },
    revokeAll: () => {
      let revoked = 0;
      const now = clock.now();
      for (const record of tokens.values()) {
        if (!record.revoked && now < record.expiresAt) revoked += 1;
        record.revoked = true;
      }
      return revoked;
    },
    issuedCount: () => tokens.size,
  };
};
