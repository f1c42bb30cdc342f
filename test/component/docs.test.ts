import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { PROJECT } from '../support/tokens';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary JSON document

describe('GET /openapi.json and GET /docs', () => {
  let gateway: TestGateway;
  let document: Json;

  beforeAll(async () => {
    gateway = await startTestGateway();
    document = (await send(gateway.url, '/openapi.json', { method: 'GET' })).json<Json>();
  });
  afterAll(() => gateway.stop());

  it('is an OpenAPI 3.1 document whose request schemas are the validation schemas', () => {
    expect(document.openapi).toBe('3.1.0');
    const body = document.paths['/v3/{project_id}/jobs/batch-precheck'].post.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false, required: ['jobs'] });
    expect(body.properties.jobs).toMatchObject({ minItems: 1, maxItems: 10 });
    expect(body.properties.jobs.items.properties.precheck_mode.enum).toEqual(['forStartJob', 'forRetryJob']);
    const result = document.paths['/v3/{project_id}/jobs/batch-precheck-result'].post;
    expect(result.parameters[0]).toMatchObject({ name: 'project_id', in: 'path', required: true, schema: { pattern: '^[A-Za-z0-9]{32,64}$' } });
  });

  it('documents the error responses, problem+json, by status', () => {
    const responses = document.paths['/v3/{project_id}/jobs/batch-precheck'].post.responses;
    for (const status of ['400', '401', '403', '405', '413', '415', '429', '500', '502', '503', '504']) {
      expect(responses[status].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    expect(responses['429'].description).toContain('GW.2001');
    expect(responses['429'].description).toContain('GW.3008');
    expect(responses['429'].description).toContain('GW.2002');
    expect(responses['409'].description).toContain('GW.0409');
    expect(responses['422'].description).toContain('GW.0422');
  });

  it('documents the configuration reload: its 422 GW.4001 whose errors name settings, the version it answers with, and its dry run', () => {
    const reload = document.paths['/admin/config/reload'].post;
    expect(reload.responses['422'].description).toContain('GW.4001');
    const [applied, dryRun] = reload.responses['200'].content['application/json'].schema.oneOf;
    expect(applied.properties.version).toEqual({ $ref: '#/components/schemas/ConfigVersion' });
    expect(dryRun.properties.changes.items).toEqual({ $ref: '#/components/schemas/ConfigChange' });
    expect(reload.parameters).toEqual([expect.objectContaining({ name: 'dry_run', in: 'query', schema: { enum: ['true', 'false'] } })]);
    expect(document.paths['/admin/config'].get.responses['200'].content['application/json'].schema.properties.lastReload.oneOf).toEqual([{ $ref: '#/components/schemas/LastReload' }, { type: 'null' }]);
    expect(document.components.schemas.Problem.properties.errors.items.properties.setting).toEqual({ type: 'string' });
    expect(document.components.schemas.ConfigVersion.required).toEqual(['hash', 'loadedAt']);
  });

  it('every documented operation exists on the gateway (no 404 for any of them)', async () => {
    for (const [path, methods] of Object.entries(document.paths as Json)) {
      for (const method of Object.keys(methods as Json)) {
        const res = await send(gateway.url, path.replace('{project_id}', PROJECT), { method: method.toUpperCase() });
        expect({ path, method, notFound: res.status === 404 }).toEqual({ path, method, notFound: false });
      }
    }
  });

  it('/docs is a readable page of every path, loading nothing from elsewhere', async () => {
    const res = await send(gateway.url, '/docs', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    for (const path of Object.keys(document.paths as Json)) expect(res.text).toContain(path);
    expect(res.text).not.toMatch(/<script|<link|src="http/);
  });
});
