// Runtime check of fault settings arriving over HTTP (PUT /__sim/faults), typed against FaultSettings; a fault's route must be one the simulator serves.
import { z } from 'zod';
import type { DrsRouteName } from '../drs/drsRouteTable';
import type { DrsFault, FaultSettings, IamFault } from './faults';

const base = {
  times: z.number().int().positive().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
};

const sharedKinds = (extra: Record<string, z.ZodOptional<z.ZodType>>) => {
  const fields = { ...base, ...extra };
  return [
    z.strictObject({ ...fields, kind: z.undefined().optional() }),
    z.strictObject({
      ...fields,
      kind: z.literal('status'),
      status: z.number().int().min(100).max(599),
      body: z.unknown().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    z.strictObject({ ...fields, kind: z.literal('html'), status: z.number().int().min(100).max(599).optional() }),
    z.strictObject({ ...fields, kind: z.enum(['malformed', 'wrongShape', 'drop', 'hang', 'unauthorized', 'noRequestId']) }),
    z.strictObject({ ...fields, kind: z.literal('cutOff') }),
    z.strictObject({ ...fields, kind: z.literal('redirect'), status: z.number().int().min(300).max(399).optional(), location: z.string().optional() }),
    z.strictObject({ ...fields, kind: z.literal('oversize'), bytes: z.number().int().positive().max(256 * 1024 * 1024).optional() }),
    z.strictObject({ ...fields, kind: z.literal('throttle'), retryAfter: z.string().nullable().optional() }),
  ] as const;
};

const iamFault: z.ZodType<IamFault> = z.union([
  ...sharedKinds({}),
  z.strictObject({ ...base, kind: z.enum(['down', 'badCredentials']) }),
]);

/** Zero or less issues tokens that are already expired, as an IAM with a clock behind the gateway's would. */
const tokenTtl = z.number().int().min(-24 * 60 * 60 * 1000);

const faultSettings = (routeNames: readonly DrsRouteName[]): z.ZodType<FaultSettings> => {
  const drsTarget = { route: z.enum(routeNames).optional(), job: z.string().min(1).optional() };
  const drsFault: z.ZodType<DrsFault> = z.union([...sharedKinds(drsTarget), z.strictObject({ ...base, ...drsTarget, kind: z.literal('drsThrottle') })]);
  return z.strictObject({
    drs: z.union([drsFault, z.array(drsFault)]).nullable().optional(),
    iam: z.union([iamFault, z.array(iamFault)]).nullable().optional(),
    iamErrorShape: z.enum(['flat', 'nested', 'keystone']).nullable().optional(),
    iamTokenTtlMs: z
      .union([tokenTtl, z.strictObject({ ttlMs: tokenTtl, times: base.times })])
      .nullable()
      .optional(),
  });
};

export type ParsedFaultSettings = { ok: true; settings: FaultSettings } | { ok: false; problems: string[] };

/** Built per call: only PUT /__sim/faults parses, and seldom. */
export const parseFaultSettings = (input: unknown, routeNames: readonly DrsRouteName[]): ParsedFaultSettings => {
  const parsed = faultSettings(routeNames).safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) };
};
