// A row added to a copy of the route table is validated, forwarded, simulated, documented, counted and callable from the client, with no other change.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { createClientFor, type DrsOperation } from '../../clients/typescript/src/createGatewayClient';
import { DRS_ROUTE_TABLE, RELAYED_ROUTE_ERRORS, type DrsRouteRow, type DrsRouteTable } from '../../src/drs/drsRouteTable';
import type { RunningGateway } from '../../src/server';
import { DRS_BEHAVIOUR } from '../../src/simulator/drsBehaviour';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { jobIdList } from '../../src/validation/schemas';
import { send } from '../support/http';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a JSON document

/** DRS's BatchListJobStatus (reference §6), a read the gateway does not relay today. */
const JOB_STATUS_ROW: DrsRouteRow<'batch-status'> = {
  name: 'batch-status',
  method: 'POST',
  operationId: 'getJobStatuses',
  summary: 'Read job statuses',
  description: 'Scope drs:precheck. 1 to 10 distinct job IDs.',
  request: z.strictObject({ jobs: jobIdList }),
  response: z.looseObject({ results: z.array(z.looseObject({ id: z.string().optional(), status: z.string().optional() })), count: z.int() }),
  errors: RELAYED_ROUTE_ERRORS,
  readOnly: true,
  idempotencyKey: false,
  spendsBudget: false,
};

// The added name lies outside the production type DrsRouteName, as a route not yet in the table does.
const TABLE = [...DRS_ROUTE_TABLE, JOB_STATUS_ROW] as unknown as DrsRouteTable;

const CLIENT = join(__dirname, '..', '..', 'clients', 'typescript');

describe('a DRS route added to a copy of the route table', () => {
  let simulator: Simulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    simulator = await startSimulator({
      drsRoutes: TABLE,
      drsBehaviour: {
        ...DRS_BEHAVIOUR,
        'batch-status': (ctx, body) => {
          const ids = (body as { jobs: string[] }).jobs;
          return { status: 200, body: { results: ids.map((id) => ({ id, status: ctx.jobs.get(id)?.status ?? 'CONFIGURATION' })), count: ids.length } };
        },
      },
    });
    gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url }, { drsRoutes: TABLE });
  });
  afterAll(async () => {
    await gateway.stop();
    await simulator.stop();
  });

  it('is validated by the gateway: a body its schema refuses is a 400 that never reaches DRS', async () => {
    simulator.resetStats();
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-status`, { headers: { Authorization: bearer() }, body: { jobs: ['not-a-job'] } });
    expect(res.status).toBe(400);
    expect(res.json().error_code).toBe('GW.0400');
    expect(simulator.stats.drsRequests).toBe(0);
  });

  it('is forwarded to the same path on DRS, simulated there, and answered with DRS bytes', async () => {
    simulator.resetStats();
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-status`, { headers: { Authorization: bearer() }, body: { jobs: [JOB] } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ results: [{ id: JOB, status: 'CONFIGURATION' }], count: 1 });
    expect(simulator.stats.drsRequestsByRoute).toEqual({ 'batch-status': 1 });
    expect(simulator.stats.requests.map((request) => request.path)).toEqual([`/v3/${PROJECT}/jobs/batch-status`]);
  });

  it('is documented: its operation, request schema and response component are in /openapi.json', async () => {
    const document = (await send(gateway.url, '/openapi.json', { method: 'GET' })).json<Json>();
    const operation = document.paths['/v3/{project_id}/jobs/batch-status'].post;
    expect(operation).toMatchObject({ operationId: 'getJobStatuses', 'x-drs-route': { readOnly: true, idempotencyKey: false, spendsBudget: false } });
    expect(operation.requestBody.content['application/json'].schema.properties.jobs).toMatchObject({ minItems: 1, maxItems: 10 });
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BatchStatusResponse' });
    expect(document.components.schemas.BatchStatusResponse).toMatchObject({ required: ['results', 'count'] });
  });

  it('is counted under its own operation label', async () => {
    await send(gateway.url, `/v3/${PROJECT}/jobs/batch-status`, { headers: { Authorization: bearer() }, body: { jobs: [JOB] } });
    const metrics = await send(gateway.url, '/metrics', { method: 'GET' });
    expect(metrics.text).toMatch(/gateway_upstream_request_duration_seconds_count\{region="default",operation="batch-status",status_class="2xx"\} [1-9]/);
  });

  it('is a method of the client generated from the gateway document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'added-route-client-'));
    try {
      await promisify(execFile)(process.execPath, [join(CLIENT, 'scripts', 'generate.mjs'), `${gateway.url}/openapi.json`, dir]);
      // Jest compiles the generated TypeScript as it does the client's own.
      const { DRS_OPERATIONS } = jest.requireActual<{ DRS_OPERATIONS: Record<string, DrsOperation> & { getJobStatuses: DrsOperation } }>(join(dir, 'gatewayTables.ts'));
      expect(DRS_OPERATIONS.getJobStatuses).toEqual({ method: 'POST', path: '/v3/{project_id}/jobs/batch-status', readOnly: true, idempotencyKey: false });
      const client = createClientFor(DRS_OPERATIONS, { baseUrl: gateway.url, getToken: () => signToken() });
      await expect(client.getJobStatuses(PROJECT, [JOB])).resolves.toEqual({ results: [{ id: JOB, status: 'CONFIGURATION' }], count: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is unknown to a gateway and a simulator started with the production table: both answer 404', async () => {
    const plainSimulator = await startSimulator();
    const plainGateway = await startTestGateway({ DRS_ENDPOINT: plainSimulator.url, IAM_ENDPOINT: plainSimulator.url });
    try {
      expect((await send(plainGateway.url, `/v3/${PROJECT}/jobs/batch-status`, { headers: { Authorization: bearer() }, body: { jobs: [JOB] } })).status).toBe(404);
      const atDrs = await send(plainSimulator.url, `/v3/${PROJECT}/jobs/batch-status`, { body: { jobs: [JOB] } });
      expect({ status: atDrs.status, code: atDrs.json().error_code }).toEqual({ status: 404, code: 'APIG.0101' });
    } finally {
      await plainGateway.stop();
      await plainSimulator.stop();
    }
  });
});
