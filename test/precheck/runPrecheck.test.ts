// The pre-check use case without HTTP: idempotency claim -> budget -> forward -> finish or release, with typed doubles.
import { GatewayError } from '../../src/errors/GatewayError';
import type { IdempotencyOutcome, IdempotentRequest } from '../../src/idempotency/createIdempotency';
import { runPrecheck, type PrecheckDeps, type PrecheckInput } from '../../src/precheck/runPrecheck';
import type { ForwardRequest, ForwardResult } from '../../src/upstream/createPrecheckForwarder';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const OK: ForwardResult = { body: { results: [], count: 0 }, text: '{"results":[],"count":0}', upstreamRequestId: 'up-1' };

/** DRS answering 200, as the real forwarder would tell the trail. */
const answered = async (request: ForwardRequest): Promise<ForwardResult> => {
  Object.assign(request.trail ?? {}, { upstreamStatus: 200, upstreamRequestId: 'up-1', tokenSource: 'iam' });
  return OK;
};

const doubles = (outcome: IdempotencyOutcome = { kind: 'unprotected' }, forward: (request: ForwardRequest) => Promise<ForwardResult> = answered) => {
  const steps: string[] = [];
  const claims: IdempotentRequest[] = [];
  const forwarded: ForwardRequest[] = [];
  const audits: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const deps: PrecheckDeps = {
    audit: { info: (obj, msg) => void audits.push({ obj: obj as Record<string, unknown>, msg }) },
    idempotency: {
      begin: async (request) => {
        claims.push(request);
        steps.push('claim');
        if (outcome.kind !== 'first') return outcome;
        return {
          kind: 'first',
          finish: async (response) => void steps.push(response.failure ? `finish:${response.status}:${JSON.stringify(response.failure)}:${response.upstreamRequestId}` : `finish:${response.body}`),
          release: async () => void steps.push('release'),
        };
      },
    },
    budget: { spend: async (projectId, jobs, budget) => void steps.push(`spend:${projectId}:${jobs}/${budget}`) },
  };
  const input = (over: Partial<PrecheckInput> = {}): PrecheckInput => ({
    sub: 'svc',
    projectId: PROJECT,
    client: 'portal',
    project: {
      region: 'north',
      jobBudget: 5,
      forwarder: {
        forward: (request) => {
          forwarded.push(request);
          steps.push('forward');
          return forward(request);
        },
      },
    },
    route: { name: 'batch-precheck', idempotencyKey: true, spendsBudget: true },
    body: { jobs: [{ job_id: 'a', precheck_mode: 'forStartJob' }, { job_id: 'b', precheck_mode: 'forRetryJob' }] },
    idempotencyKey: 'k1',
    language: 'en-us',
    requestId: 'r1',
    trail: {},
    ...over,
  });
  return { deps, input, steps, claims, forwarded, audits };
};

describe('runPrecheck', () => {
  it('writes one audit line: who, client, project, region, jobs and modes, what DRS answered and the request id', async () => {
    const { deps, input, audits } = doubles({ kind: 'first' } as IdempotencyOutcome);
    await runPrecheck(deps, input());
    expect(audits).toEqual([
      {
        msg: 'batch-precheck answered',
        obj: {
          audit: 'precheck',
          action: 'batch-precheck',
          outcome: 'success',
          caller: 'svc',
          client: 'portal',
          project: PROJECT,
          region: 'north',
          jobs: [
            { job_id: 'a', precheck_mode: 'forStartJob' },
            { job_id: 'b', precheck_mode: 'forRetryJob' },
          ],
          status: 200,
          code: undefined,
          replayed: undefined,
          upstream: { statusCode: 200, requestId: 'up-1' },
          requestId: 'r1',
        },
      },
    ]);
  });

  it('audits a failure with the code the caller got and DRS status, and a replay as replayed without a DRS status', async () => {
    const refused = doubles({ kind: 'unprotected' }, async (request) => {
      Object.assign(request.trail ?? {}, { upstreamStatus: 400 });
      throw new GatewayError('DRS.PASSTHROUGH', { status: 400, errorCode: 'DRS.10010001', upstream: { status: 400 } });
    });
    await expect(runPrecheck(refused.deps, refused.input())).rejects.toBeInstanceOf(GatewayError);
    expect(refused.audits).toHaveLength(1);
    expect(refused.audits[0]).toMatchObject({ msg: 'batch-precheck failed', obj: { outcome: 'failure', status: 400, code: 'DRS.10010001', upstream: { statusCode: 400 } } });

    const replay = doubles({ kind: 'replay', response: { status: 200, body: '{"stored":1}', upstreamRequestId: 'up-0' } });
    await runPrecheck(replay.deps, replay.input());
    expect(replay.audits[0]?.obj).toMatchObject({ outcome: 'success', replayed: true, upstream: { statusCode: undefined, requestId: 'up-0' } });

    const crashed = doubles({ kind: 'unprotected' }, async () => {
      throw new TypeError('boom');
    });
    await expect(runPrecheck(crashed.deps, crashed.input())).rejects.toThrow('boom');
    expect(crashed.audits[0]?.obj).toMatchObject({ outcome: 'failure', status: 500, code: 'GW.5000' });
  });

  it('claims the key, charges the project its jobs against its own budget, forwards, then stores the answer', async () => {
    const { deps, input, steps, claims, forwarded } = doubles({ kind: 'first' } as IdempotencyOutcome);
    await expect(runPrecheck(deps, input())).resolves.toEqual({ text: OK.text, upstreamRequestId: 'up-1', replayed: false });
    expect(steps).toEqual(['claim', `spend:${PROJECT}:2/5`, 'forward', `finish:${OK.text}`]);
    expect(claims[0]).toMatchObject({ sub: 'svc', key: 'k1', projectId: PROJECT });
    expect(forwarded[0]).toMatchObject({ projectId: PROJECT, route: 'batch-precheck', language: 'en-us', requestId: 'r1' });
  });

  it('a replay answers the stored response without budget or forwarding', async () => {
    const { deps, input, steps } = doubles({ kind: 'replay', response: { status: 200, body: '{"stored":1}', upstreamRequestId: 'up-0' } });
    await expect(runPrecheck(deps, input())).resolves.toEqual({ text: '{"stored":1}', upstreamRequestId: 'up-0', replayed: true });
    expect(steps).toEqual(['claim']);
  });

  it('releases the key when the budget or DRS refuses before anything started, and passes the error on', async () => {
    const refused = doubles({ kind: 'first' } as IdempotencyOutcome, async () => {
      throw new GatewayError('DRS.PASSTHROUGH', { status: 400, errorCode: 'DRS.M05003', upstream: { status: 400 } });
    });
    await expect(runPrecheck(refused.deps, refused.input())).rejects.toMatchObject({ publicCode: 'DRS.M05003' });
    expect(refused.steps).toEqual(['claim', `spend:${PROJECT}:2/5`, 'forward', 'release']);

    const unreachable = doubles({ kind: 'first' } as IdempotencyOutcome, async () => {
      throw new GatewayError('GW.3006', { retryAfterSeconds: 5 });
    });
    await expect(runPrecheck(unreachable.deps, unreachable.input())).rejects.toMatchObject({ code: 'GW.3006' });
    expect(unreachable.steps).toEqual(['claim', `spend:${PROJECT}:2/5`, 'forward', 'release']);

    const overBudget = doubles({ kind: 'first' } as IdempotencyOutcome);
    overBudget.deps.budget.spend = async () => {
      throw new GatewayError('GW.2002');
    };
    await expect(runPrecheck(overBudget.deps, overBudget.input())).rejects.toMatchObject({ code: 'GW.2002' });
    expect(overBudget.steps).toEqual(['claim', 'release']);
  });

  it.each(['GW.3004', 'GW.3005', 'GW.3007', 'GW.5000'] as const)('keeps %s under the key, since DRS may have started the pre-check, instead of freeing it', async (code) => {
    const lost = doubles({ kind: 'first' } as IdempotencyOutcome, async () => {
      throw new GatewayError(code, { upstream: code === 'GW.3005' ? { status: 503 } : undefined, headers: { 'X-Upstream-Request-Id': 'up-9' } });
    });
    await expect(runPrecheck(lost.deps, lost.input())).rejects.toMatchObject({ code });
    const upstream = code === 'GW.3005' ? { upstream: { status: 503 } } : {};
    const status = { 'GW.3004': 502, 'GW.3005': 502, 'GW.3007': 504, 'GW.5000': 500 }[code];
    expect(lost.steps).toEqual(['claim', `spend:${PROJECT}:2/5`, 'forward', `finish:${status}:${JSON.stringify({ code, ...upstream })}:up-9`]);
  });

  it('a repeat of a key whose first answer was lost gets the same failure again, marked replayed, without budget or forwarding', async () => {
    const { deps, input, steps, audits } = doubles({ kind: 'replay', response: { status: 502, failure: { code: 'GW.3004' }, upstreamRequestId: 'up-7' } });
    const error = await runPrecheck(deps, input()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW.3004', status: 502, options: { headers: { 'Idempotency-Replayed': 'true', 'X-Upstream-Request-Id': 'up-7' } } });
    expect(steps).toEqual(['claim']);
    expect(audits[0]?.obj).toMatchObject({ outcome: 'failure', code: 'GW.3004', replayed: true, upstream: { statusCode: undefined } });
  });

  it('spends nothing for a project without a budget, and a result query neither claims a key nor spends', async () => {
    const noBudget = doubles();
    await runPrecheck(noBudget.deps, noBudget.input({ project: { ...noBudget.input().project, jobBudget: undefined } }));
    expect(noBudget.steps).toEqual(['claim', 'forward']);

    const results = doubles({ kind: 'first' } as IdempotencyOutcome);
    await runPrecheck(results.deps, results.input({ route: { name: 'batch-precheck-result', idempotencyKey: false, spendsBudget: false } }));
    expect(results.steps).toEqual(['forward']);
  });
});
