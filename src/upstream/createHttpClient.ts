// The axios instance for one upstream: keep-alive, whole-request timeout, no redirects, capped body, raw text back.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosResponse } from 'axios';

export interface HttpClientOptions {
  baseURL: string;
  timeoutMs: number;
  maxResponseBytes: number;
  userAgent: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, unknown>;
  data: string;
}

export interface HttpClient {
  /** POSTs a JSON text body to a path under the base URL; resolves for every HTTP status, rejects on transport failure. */
  post(path: string, body: string, headers: Record<string, string>): Promise<HttpResponse>;
  /** Ends pooled sockets so a stopping gateway leaves nothing open. */
  close(): void;
}

export const createHttpClient = (options: HttpClientOptions): HttpClient => {
  const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const instance = axios.create({
    baseURL: options.baseURL,
    allowAbsoluteUrls: false,
    timeout: options.timeoutMs,
    maxRedirects: 0,
    maxContentLength: options.maxResponseBytes,
    maxBodyLength: options.maxResponseBytes,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    decompress: true,
    httpAgent,
    httpsAgent,
    proxy: false,
    headers: { 'User-Agent': options.userAgent, Accept: false, 'Accept-Encoding': false },
  });
  return {
    async post(path, body, headers) {
      // axios's `timeout` stops at the response head; the signal bounds the whole exchange, body included.
      const response: AxiosResponse<string> = await instance.post(path, body, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
      return { status: response.status, headers: response.headers as Record<string, unknown>, data: response.data };
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
};
