// The DRS route table: its rows are consistent, and the OpenAPI document says of each route what its row says.
import { z } from 'zod';
import { BUDGET_ERRORS, DRS_ROUTE_TABLE, drsPath, IDEMPOTENCY_ERRORS } from '../../src/drs/drsRouteTable';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue';
import { buildOpenApiDocument, responseComponentName } from '../../src/openapi/buildOpenApiDocument';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a JSON document

const JOB = '140b5236-88ad-43c8-811c-1268453jb101';

describe('DRS_ROUTE_TABLE', () => {
  const doc = buildOpenApiDocument('test', DRS_ROUTE_TABLE) as Json;

  it('names every route and operation once', () => {
    expect(new Set(DRS_ROUTE_TABLE.map((route) => route.name)).size).toBe(DRS_ROUTE_TABLE.length);
    expect(new Set(DRS_ROUTE_TABLE.map((route) => route.operationId)).size).toBe(DRS_ROUTE_TABLE.length);
  });

  it('lists the idempotency codes exactly where a route takes an Idempotency-Key, and the budget code where it spends the budget', () => {
    for (const route of DRS_ROUTE_TABLE) {
      const codes: readonly string[] = route.errors;
      expect({ route: route.name, idempotency: IDEMPOTENCY_ERRORS.map((code) => codes.includes(code)) }).toEqual({ route: route.name, idempotency: IDEMPOTENCY_ERRORS.map(() => route.idempotencyKey) });
      expect({ route: route.name, budget: BUDGET_ERRORS.map((code) => codes.includes(code)) }).toEqual({ route: route.name, budget: BUDGET_ERRORS.map(() => route.spendsBudget) });
    }
  });

  it('gives every route an OpenAPI operation with its operationId, summary, Idempotency-Key where it takes one, and every code by its catalogue status', () => {
    for (const route of DRS_ROUTE_TABLE) {
      const operation = doc.paths[`/v3/{project_id}/jobs/${route.name}`][route.method.toLowerCase()] as Json;
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.summary).toBe(route.summary);
      expect(operation['x-drs-route']).toEqual({ readOnly: route.readOnly, idempotencyKey: route.idempotencyKey, spendsBudget: route.spendsBudget });
      const names = (operation.parameters as Json[]).map((p) => p.name);
      expect(names.includes('Idempotency-Key')).toBe(route.idempotencyKey);
      for (const code of route.errors) {
        const status = code === 'DRS.PASSTHROUGH' ? '4XX' : String(ERROR_CATALOGUE[code].status);
        expect({ code, documented: operation.responses[status]?.description?.includes(code === 'DRS.PASSTHROUGH' ? 'DRS.M' : code) }).toEqual({ code, documented: true });
      }
    }
  });

  it("documents each route's 200 body as its response schema, which passes unknown fields through", () => {
    for (const route of DRS_ROUTE_TABLE) {
      const ref = doc.paths[`/v3/{project_id}/jobs/${route.name}`].post.responses['200'].content['application/json'].schema.$ref as string;
      expect(ref).toBe(`#/components/schemas/${responseComponentName(route)}`);
      const { $schema: _dialect, ...expected } = z.toJSONSchema(route.response);
      expect(doc.components.schemas[responseComponentName(route)]).toEqual(expected);
      expect({ route: route.name, additionalProperties: expected.additionalProperties }).toEqual({ route: route.name, additionalProperties: {} });
    }
  });

  it("reads DRS's documented answers (reference examples), passing unknown fields through", () => {
    const [start, results] = DRS_ROUTE_TABLE;
    expect(start.response.parse({ results: [{ id: JOB, status: 'success', precheck_id: JOB, later: 1 }], count: 1, extra: true })).toEqual({
      results: [{ id: JOB, status: 'success', precheck_id: JOB, later: 1 }],
      count: 1,
      extra: true,
    });
    const report = {
      result: true,
      process: '100%',
      precheck_id: JOB,
      total_passed_rate: '100%',
      rds_instance_id: 'e05a3679efe241d8b5dee80b17c1a863in01',
      job_direction: 'up',
      precheck_result: [
        { item: 'dstStatusCheck', result: 'PASSED', data: '', group: 'db_target_status', failed_reason: '' },
        { item: 'srcCollHasTtlIndex', result: 'ALARM', data: '{}', group: 'db_params', failed_reason: 'SRC_HAS_TTL_INDEXES' },
      ],
    };
    expect(results.response.parse({ count: 1, results: [report] })).toEqual({ count: 1, results: [report] });
    expect(results.response.safeParse({ results: [{ precheck_id: JOB, job_direction: 'sideways' }], count: 1 }).success).toBe(false);
  });

  it('builds the DRS path from the project and the route name', () => {
    expect(drsPath('054ba152d480d55b2f5dc0069e7ddef0', 'batch-precheck-result')).toBe('/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-precheck-result');
  });

  it('documents the per-region readiness body', () => {
    expect(doc.components.schemas.Readiness.properties.dependencies.properties.regions.additionalProperties.properties.drs.enum).toEqual(['up', 'circuit-open', 'circuit-half-open']);
  });
});
