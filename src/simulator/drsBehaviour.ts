// What the simulated DRS does on each route of the table once a request got past faults and authentication: DRS's body checks, then its answer.
import type { DrsRouteName } from '../drs/drsRouteTable';
import { batchPrecheck } from './batchPrecheck';
import { batchPrecheckResult } from './batchPrecheckResult';
import type { SimulatorContext } from './context';
import { validatePrecheckBody, validateResultBody } from './drsValidation';
import type { DrsLanguage } from './messages';

/** A string body is sent as it is (already JSON). */
export interface DrsAnswer {
  status: number;
  body: string | object;
}

/** `body` is the parsed JSON the caller sent; DRS's own validation is the behaviour's first step. */
export type DrsBehaviour = (ctx: SimulatorContext, body: unknown, language: DrsLanguage) => DrsAnswer;

/** Keyed by the table's route names: a row without a behaviour here fails to compile. */
export const DRS_BEHAVIOUR: Readonly<Record<DrsRouteName, DrsBehaviour>> = {
  'batch-precheck': (ctx, body, language) => {
    const items = validatePrecheckBody(body, language);
    return items.ok ? { status: 200, body: batchPrecheck(ctx, items.value, language) } : { status: 400, body: items.error };
  },
  'batch-precheck-result': (ctx, body, language) => {
    const ids = validateResultBody(body, language);
    return ids.ok ? { status: 200, body: batchPrecheckResult(ctx, ids.value, language) } : { status: 400, body: ids.error };
  },
};
