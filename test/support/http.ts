// Small fetch wrappers for component tests against a running gateway.
import { request, type IncomingHttpHeaders } from 'node:http';
export interface SentRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  raw?: string;
}

export interface Received {
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

export const send = async (baseUrl: string, path: string, request: SentRequest = {}): Promise<Received> => {
  const hasBody = request.raw !== undefined || request.body !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method: request.method ?? 'POST',
    headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
    body: request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
};

/** Sends the method and path as written, through node:http: fetch resolves dot segments and refuses some methods. */
export const sendVerbatim = (baseUrl: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    request({ hostname, port, path, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
