// Signs real inbound JWTs for component tests.
import jwt, { type SignOptions } from 'jsonwebtoken';

export const TEST_SECRET = 'component-test-secret-that-is-long-enough-0123456789';
export const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
export const OTHER_PROJECT = 'a4a5d4098fb4474fa22cd05f897d6b99';
export const JOB = '140b5236-88ad-43c8-811c-1268453jb101';
export const JOB_2 = 'a281f62f-4631-45d6-a2d3-679a9f4jb105';

export interface TokenClaims {
  sub?: string;
  scope?: string;
  scp?: string[];
  projects?: string[];
  [claim: string]: unknown;
}

export const signToken = (claims: TokenClaims = {}, options: SignOptions = {}, key: string = TEST_SECRET): string =>
  jwt.sign({ sub: 'caller-1', scope: 'drs:precheck', projects: [PROJECT], ...claims }, key, { algorithm: 'HS256', expiresIn: 300, ...options });

export const bearer = (token: string = signToken()): string => `Bearer ${token}`;
