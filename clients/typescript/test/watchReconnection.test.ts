// How watchPrecheck follows the stream protocol agreed with the gateway: end, expired tokens, the stream cap, errors.
// The gateway answers are scripted here because some of these events (end, GW.2003) come from server work in progress.
import { createGatewayClient, GatewayClientError, type PrecheckEvent, type ReconnectNotice } from '../src';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const A = 'aaaaaaaa-1111-4222-8333-44444444a001';
const B = 'bbbbbbbb-1111-4222-8333-44444444b002';

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const progress = (job: string, process: string) => frame('progress', { job_id: job, process, total_passed_rate: '100%', result: process === '100%' });
const done = (job: string, extra: Record<string, unknown> = {}) => frame('done', { job_id: job, result: true, total_passed_rate: '100%', ...extra });
const problem = (status: number, code: string) => ({ type: `/errors#${code}`, title: 't', status, detail: 'd', instance: `/v3/${PROJECT}/jobs/precheck-progress`, error_code: code, error_msg: 'm', request_id: 'r' });

const stream = (text: string): Response => new Response(text, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
const refusal = (status: number, code: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(problem(status, code)), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });

/** Answers each stream request with the next scripted response, recording the jobs and token it carried. */
const scripted = (...answers: Array<Response | (() => Response)>) => {
  const requests: Array<{ jobs: string[]; token: string; signal: AbortSignal }> = [];
  let token = 0;
  const reconnects: ReconnectNotice[] = [];
  const client = createGatewayClient({
    baseUrl: 'http://gateway.test',
    getToken: () => `token-${(token += 1)}`,
    reconnect: { baseDelayMs: 1, maxFailures: 3, idleTimeoutMs: 300 },
    onReconnect: (notice) => reconnects.push(notice),
    fetch: async (request) => {
      requests.push({
        jobs: new URL(request.url).searchParams.get('jobs')?.split(',') ?? [],
        token: request.headers.get('Authorization') ?? '',
        signal: request.signal,
      });
      const next = answers.shift();
      if (next === undefined) throw new Error('no more scripted answers');
      return typeof next === 'function' ? next() : next;
    },
  });
  return { client, requests, reconnects };
};

const collect = async (events: AsyncIterable<PrecheckEvent>): Promise<PrecheckEvent[]> => {
  const seen: PrecheckEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

describe('watchPrecheck and the stream protocol', () => {
  it('sends the jobs as a comma list with the bearer token and ends once every job is done', async () => {
    const { client, requests } = scripted(stream(': keep-alive\n\n' + progress(A, '50%') + progress(B, '100%') + done(B) + progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A, B]));
    expect(events.map((e) => `${e.type}:${e.data.job_id}`)).toEqual([`progress:${A}`, `progress:${B}`, `done:${B}`, `progress:${A}`, `done:${A}`]);
    expect(requests).toEqual([expect.objectContaining({ jobs: [A, B], token: 'Bearer token-1' })]);
  });

  it('reconnects at once after end {"reason":"max-lifetime"}, asking only for the jobs still open', async () => {
    const { client, requests, reconnects } = scripted(stream(progress(A, '100%') + done(A) + progress(B, '40%') + frame('end', { reason: 'max-lifetime' })), stream(progress(B, '100%') + done(B)));
    const events = await collect(client.watchPrecheck(PROJECT, [A, B]));
    expect(events.filter((e) => e.type === 'done').map((e) => e.data.job_id)).toEqual([A, B]);
    expect(requests.map((r) => r.jobs)).toEqual([[A, B], [B]]);
    expect(reconnects).toEqual([{ reason: 'max-lifetime', failures: 1, delayMs: 0, jobIds: [B] }]);
  });

  it('after an error event GW.1003 (token expired), calls getToken again and reconnects', async () => {
    const { client, requests, reconnects } = scripted(stream(progress(A, '10%') + frame('error', problem(401, 'GW.1003'))), stream(progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events.at(-1)).toEqual({ type: 'done', data: expect.objectContaining({ job_id: A }) });
    expect(requests.map((r) => r.token)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(reconnects.map((r) => r.reason)).toEqual(['token-expired']);
  });

  it('gives up on GW.1003 when fresh tokens keep expiring without a single event', async () => {
    const expired = () => stream(frame('error', problem(401, 'GW.1003')));
    const { client, requests } = scripted(expired, expired, expired, expired, expired);
    await expect(collect(client.watchPrecheck(PROJECT, [A]))).rejects.toMatchObject({ error_code: 'GW.1003' });
    expect(requests).toHaveLength(4);
  });

  it('after a transient error event (503 GW.3006, DRS cut off), reconnects with backoff and follows the job to done', async () => {
    const { client, requests, reconnects } = scripted(stream(progress(A, '10%') + frame('error', problem(503, 'GW.3006'))), stream(progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events.at(-1)).toEqual({ type: 'done', data: expect.objectContaining({ job_id: A }) });
    expect(requests).toHaveLength(2);
    expect(reconnects).toEqual([expect.objectContaining({ reason: 'refused', failures: 1, jobIds: [A] })]);
  });

  it('gives up when transient error events keep coming without a single event in between', async () => {
    const cutOff = () => stream(frame('error', problem(503, 'GW.3006')));
    const { client, requests } = scripted(cutOff, cutOff, cutOff, cutOff, cutOff);
    await expect(collect(client.watchPrecheck(PROJECT, [A]))).rejects.toMatchObject({ error_code: 'GW.3006' });
    expect(requests).toHaveLength(4);
  });

  it('reconnects after an error event a read may repeat (502 GW.3004 persisting), as getPrecheckResults would retry', async () => {
    const { client, reconnects } = scripted(stream(progress(A, '10%') + frame('error', problem(502, 'GW.3004'))), stream(progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events.at(-1)).toEqual({ type: 'done', data: expect.objectContaining({ job_id: A }) });
    expect(reconnects.map((r) => r.reason)).toEqual(['refused']);
  });

  it('ends with the GatewayClientError of a final error event', async () => {
    const { client, requests } = scripted(stream(progress(A, '10%') + frame('error', problem(502, 'GW.3003'))));
    const seen: PrecheckEvent[] = [];
    const failure = await client.followPrecheck(PROJECT, [A], (event) => seen.push(event)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayClientError);
    expect(failure).toMatchObject({ status: 502, error_code: 'GW.3003', retryable: false });
    expect(seen).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('reports a done with GW.3004 (DRS stopped reporting the job) as that job\'s end', async () => {
    const { client } = scripted(stream(done(A, { result: undefined, error_code: 'GW.3004', error_msg: 'DRS stopped reporting this job' })));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events).toEqual([{ type: 'done', data: expect.objectContaining({ job_id: A, error_code: 'GW.3004' }) }]);
  });

  it('over the stream cap (429 GW.2003), waits the Retry-After and reconnects', async () => {
    const { client, reconnects } = scripted(refusal(429, 'GW.2003', { 'Retry-After': '1' }), stream(done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events).toHaveLength(1);
    expect(reconnects).toEqual([{ reason: 'refused', failures: 1, delayMs: 1000, jobIds: [A] }]);
  });

  it('does not reconnect after a final refusal (403)', async () => {
    const { client, requests } = scripted(refusal(403, 'GW.1005'));
    await expect(collect(client.watchPrecheck(PROJECT, [A]))).rejects.toMatchObject({ status: 403, error_code: 'GW.1005', retryable: false });
    expect(requests).toHaveLength(1);
  });

  it('gives up after the bounded number of drops in a row, and a connection with events resets the count', async () => {
    const silent = () => stream(': keep-alive\n\n');
    const { client, requests } = scripted(silent, silent, stream(progress(A, '10%')), silent, silent, silent);
    await expect(collect(client.watchPrecheck(PROJECT, [A]))).rejects.toMatchObject({ error_code: 'CLIENT.NETWORK' });
    // 2 silent drops, 1 drop after an event (count back to 1), then 3 silent drops reach maxFailures 3.
    expect(requests).toHaveLength(6);
  });

  it('does not repeat a progress event the reconnected stream sends again unchanged', async () => {
    const { client } = scripted(stream(progress(A, '40%')), stream(progress(A, '40%') + progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events.map((e) => (e.type === 'progress' ? e.data.process : 'done'))).toEqual(['40%', '100%', 'done']);
  });

  it('skips events it does not know, and ends with a GatewayClientError on an event whose data is not JSON', async () => {
    const { client } = scripted(stream(frame('hint', { anything: 1 }) + 'event: news\ndata: plain text\n\n' + progress(A, '10%') + 'event: progress\ndata: {broken\n\n'));
    const seen: PrecheckEvent[] = [];
    const failure = await client.followPrecheck(PROJECT, [A], (event) => seen.push(event)).catch((error: unknown) => error);
    expect(seen).toEqual([{ type: 'progress', data: expect.objectContaining({ job_id: A, process: '10%' }) }]);
    expect(failure).toBeInstanceOf(GatewayClientError);
    expect(failure).toMatchObject({ error_code: 'CLIENT.UNEXPECTED_RESPONSE', retryable: false });
  });

  // Found by test/fuzz/watchPrecheck.test.ts: `null` data ended the watch with a TypeError, a number was skipped as if it
  // were an event, and an error event without a problem (or with an empty code) became a GatewayClientError without a code.
  it.each([
    ['null data on a progress event', 'event: progress\ndata: null\n\n', 'The data of a "progress" event is not a JSON object.'],
    ['a number on a done event', 'event: done\ndata: 7\n\n', 'The data of a "done" event is not a JSON object.'],
    ['an error event whose data is not a problem', 'event: error\ndata: 0\n\n', 'The data of an "error" event is not a problem object.'],
    ['an error event with an empty code and status 0', 'event: error\ndata: {"status":0,"error_code":""}\n\n', 'The data of an "error" event is not a problem object.'],
  ])('ends with a GatewayClientError (CLIENT.UNEXPECTED_RESPONSE) on %s', async (_name, text, detail) => {
    const { client } = scripted(stream(text));
    const failure = await collect(client.watchPrecheck(PROJECT, [A])).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayClientError);
    expect(failure).toMatchObject({ status: 200, error_code: 'CLIENT.UNEXPECTED_RESPONSE', retryable: false, problem: expect.objectContaining({ detail }) });
  });

  it.each([
    ['a 204', () => new Response(null, { status: 204 })],
    ['an empty 200 with Content-Length: 0', () => new Response('', { status: 200, headers: { 'Content-Length': '0' } })],
  ])('takes %s (no body: a TypeError before) for a dropped connection and reconnects', async (_name, answer) => {
    const { client, reconnects } = scripted(answer, stream(done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events).toEqual([{ type: 'done', data: expect.objectContaining({ job_id: A }) }]);
    expect(reconnects).toEqual([expect.objectContaining({ reason: 'dropped', jobIds: [A] })]);
  });

  it('replaces a connection that goes silent (no event, no keep-alive) for idleTimeoutMs', async () => {
    const hanging = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode(progress(A, '10%'))) });
    const { client, requests, reconnects } = scripted(new Response(hanging, { status: 200 }), stream(progress(A, '100%') + done(A)));
    const events = await collect(client.watchPrecheck(PROJECT, [A]));
    expect(events.map((e) => e.type)).toEqual(['progress', 'progress', 'done']);
    expect(reconnects).toEqual([expect.objectContaining({ reason: 'dropped', jobIds: [A] })]);
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it('does not take a slow consumer for a silent connection', async () => {
    const { client, reconnects } = scripted(stream(progress(A, '10%') + progress(A, '100%') + done(A)));
    for await (const event of client.watchPrecheck(PROJECT, [A])) if (event.type === 'progress') await new Promise((resolve) => setTimeout(resolve, 400));
    expect(reconnects).toEqual([]);
  });

  it('closes the connection when the caller stops iterating early', async () => {
    const { client, requests } = scripted(stream(progress(A, '10%') + progress(A, '20%')));
    for await (const event of client.watchPrecheck(PROJECT, [A])) {
      expect(event.type).toBe('progress');
      break;
    }
    expect(requests[0]?.signal.aborted).toBe(true);
  });
});
