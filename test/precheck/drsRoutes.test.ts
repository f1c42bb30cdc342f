// The DRS route table is the one source the OpenAPI document, the routes and the forwarder read.
import { buildOpenApiDocument } from '../../src/openapi/buildOpenApiDocument';
import { DRS_ROUTES, drsPath } from '../../src/precheck/drsRoutes';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a JSON document

describe('DRS_ROUTES', () => {
  const doc = buildOpenApiDocument('test') as Json;

  it('gives every route an OpenAPI operation with its summary, and the Idempotency-Key only where it spends the budget', () => {
    for (const route of DRS_ROUTES) {
      const operation = doc.paths[`/v3/{project_id}/jobs/${route.name}`].post as Json;
      expect(operation.summary).toBe(route.summary);
      expect(operation.requestBody.content['application/json'].schema).toBeDefined();
      const names = (operation.parameters as Json[]).map((p) => p.name);
      expect(names.includes('Idempotency-Key')).toBe(route.spendsBudget);
      expect(Object.keys(operation.responses).includes('429')).toBe(true);
    }
  });

  it('builds the DRS path from the project and the route name', () => {
    expect(drsPath('054ba152d480d55b2f5dc0069e7ddef0', 'batch-precheck-result')).toBe('/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-precheck-result');
  });

  it('documents the per-region readiness body', () => {
    expect(doc.components.schemas.Readiness.properties.dependencies.properties.regions.additionalProperties.properties.drs.enum).toEqual(['up', 'circuit-open', 'circuit-half-open']);
  });
});
