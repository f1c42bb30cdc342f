import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue';
import { GatewayError } from '../../src/errors/GatewayError';
import { problemBody } from '../../src/errors/problem';
import { renderCatalogueMarkdown } from '../../src/errors/renderCatalogue';
import { classifyFailure } from '../../clients/typescript/src/errors';

describe('the error catalogue', () => {
  it('docs/errors.md is current (regenerate with npm run docs:errors)', () => {
    expect(readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8')).toBe(renderCatalogueMarkdown());
  });

  it('holds every contract code with its status', () => {
    const contract: Record<string, number> = {
      'GW.0400': 400, 'GW.0401': 400, 'GW.0404': 404, 'GW.0405': 405, 'GW.0409': 409, 'GW.0413': 413, 'GW.0415': 415, 'GW.0422': 422,
      'GW.1001': 401, 'GW.1002': 401, 'GW.1003': 401, 'GW.1004': 403, 'GW.1005': 403, 'GW.2001': 429, 'GW.2002': 429,
      'GW.3001': 502, 'GW.3002': 503, 'GW.3003': 502, 'GW.3004': 502, 'GW.3005': 502, 'GW.3006': 503, 'GW.3007': 504, 'GW.3008': 429,
      'GW.5000': 500, 'GW.5030': 503, 'GW.5031': 503,
    };
    for (const [code, status] of Object.entries(contract)) expect(ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE]?.status).toBe(status);
  });

  it("gives every gateway code the retry kind the typed client acts on", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if (code === 'DRS.PASSTHROUGH') continue;
      expect({ code, kind: classifyFailure(entry.status, code) }).toEqual({ code, kind: entry.retry });
    }
  });

  it('has a title and detail in both languages for every code', () => {
    for (const entry of Object.values(ERROR_CATALOGUE)) {
      for (const text of [entry.title['en-us'], entry.title['zh-cn'], entry.detail['en-us'], entry.detail['zh-cn'], entry.action]) expect(text.length).toBeGreaterThan(0);
    }
  });

  it('builds the problem body of the contract', () => {
    const body = problemBody(new GatewayError('GW.1003'), { instance: '/v3/x/jobs/batch-precheck', requestId: '0f1c2e8a9b7d4c3e', language: 'en-us', typeBase: 'https://gw.example.com/errors' });
    expect(body).toEqual({
      type: 'https://gw.example.com/errors#GW.1003',
      title: 'Token expired',
      status: 401,
      detail: 'The bearer token has expired.',
      instance: '/v3/x/jobs/batch-precheck',
      error_code: 'GW.1003',
      error_msg: 'The bearer token has expired.',
      request_id: '0f1c2e8a9b7d4c3e',
    });
  });

  it('puts DRS own code, status and message on a passed-through rejection', () => {
    const error = new GatewayError('DRS.PASSTHROUGH', { status: 400, errorCode: 'DRS.M05003', upstreamMessage: 'Task information not found.', upstream: { status: 400, error_code: 'DRS.M05003', error_msg: 'Task information not found.' } });
    expect(problemBody(error, { instance: '/', requestId: 'r', language: 'zh-cn', typeBase: '/errors' })).toMatchObject({
      type: '/errors#DRS.M05003', status: 400, error_code: 'DRS.M05003', error_msg: 'Task information not found.', detail: 'Task information not found.', title: '请求被 DRS 拒绝',
    });
  });
});
