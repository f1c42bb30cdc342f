// Fuzzes the typed client's progress stream reader: any chunking reads as one chunk, garbage ends in a GatewayClientError, no job is done twice.
import fc from 'fast-check';
import { createGatewayClient, GatewayClientError, type PrecheckEvent } from '../../clients/typescript/src';
import { assertFuzz, FUZZ_TIMEOUT_MS, replayCorpus } from './support/fuzzing';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const JOBS = ['aaaaaaaa-1111-4222-8333-44444444a001', 'bbbbbbbb-1111-4222-8333-44444444b002', 'cccccccc-1111-4222-8333-44444444c003'];

/** One answer to a stream request: its status and headers, and its body as bytes (a latin1 string, so the corpus can hold any byte), cut into chunks at `cuts`. */
interface Connection {
  status: number;
  headers: Record<string, string>;
  bytes: string;
  cuts: number[];
}

/** A watch of `jobs`; each connection answers one stream request in turn, and after the last the network fails. */
interface WatchInput {
  jobs: string[];
  connections: Connection[];
}

/** A stream the gateway could send, as text, and where its UTF-8 bytes are cut. */
interface ChunkingInput {
  jobs: string[];
  text: string;
  cuts: number[];
}

const toLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

const chunksOf = (bytes: Buffer, cuts: readonly number[]): Uint8Array[] => {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  return [0, ...points].map((start, i) => new Uint8Array(bytes.subarray(start, points[i] ?? bytes.length)));
};

const responseOf = (connection: Connection): Response => {
  const chunks = chunksOf(Buffer.from(connection.bytes, 'latin1'), connection.cuts);
  // One chunk per read, so the reader sees exactly these boundaries.
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
  return new Response([101, 204, 205, 304].includes(connection.status) ? null : body, { status: connection.status, headers: connection.headers });
};

/** How a watch went: the events it delivered, how it ended, and which jobs each (re)connection asked for after how many events. */
interface Watched {
  events: PrecheckEvent[];
  ending: { completed: true } | { completed: false; error: unknown };
  requests: Array<{ jobs: string[]; afterEvents: number }>;
}

/** Answers a stream request for these jobs. */
type Answer = (jobs: string[]) => Response;

const watch = async (jobs: string[], answers: readonly Answer[]): Promise<Watched> => {
  const requests: Watched['requests'] = [];
  const events: PrecheckEvent[] = [];
  const client = createGatewayClient({
    baseUrl: 'http://gateway.test',
    getToken: () => 'token',
    reconnect: { maxFailures: 3, baseDelayMs: 1, maxDelayMs: 5, idleTimeoutMs: 5_000, random: () => 0.5 },
    fetch: async (request) => {
      const asked = new URL(request.url).searchParams.get('jobs')?.split(',') ?? [];
      requests.push({ jobs: asked, afterEvents: events.length });
      const answer = answers[requests.length - 1];
      if (answer === undefined) throw new TypeError('fetch failed');
      return answer(asked);
    },
  });
  try {
    for await (const event of client.watchPrecheck(PROJECT, jobs)) events.push(event);
    return { events, ending: { completed: true }, requests };
  } catch (error) {
    return { events, ending: { completed: false, error }, requests };
  }
};

/**
 * What holds for every watch, whatever the gateway sent: a job's `done` at most once and nothing for it afterwards,
 * events only for watched jobs, each reconnection asking exactly for the jobs still open, and an ending that is either
 * every job done or the client's documented error (a GatewayClientError carrying a status and an error code).
 */
const expectWellBehaved = (jobs: readonly string[], watched: Watched): void => {
  const done = new Set<string>();
  for (const event of watched.events) {
    const id = event.data.job_id;
    if (!jobs.includes(id)) throw new Error(`an event for ${JSON.stringify(id)}, which is not watched`);
    if (done.has(id)) throw new Error(`a ${event.type} for ${id} after its done`);
    if (event.type === 'done') done.add(id);
  }
  for (const request of watched.requests) {
    const doneBefore = new Set(watched.events.slice(0, request.afterEvents).filter((e) => e.type === 'done').map((e) => e.data.job_id));
    expect(request.jobs).toEqual(jobs.filter((job) => !doneBefore.has(job)));
  }
  if (watched.ending.completed) {
    expect([...done].sort()).toEqual([...jobs].sort());
    return;
  }
  const { error } = watched.ending;
  if (!(error instanceof GatewayClientError)) throw new Error(`the watch ended with ${String(error)}, not a GatewayClientError`, { cause: error });
  if (typeof error.status !== 'number' || !Number.isFinite(error.status) || typeof error.error_code !== 'string' || error.error_code === '') {
    throw new Error(`a GatewayClientError without a status and an error code: ${JSON.stringify(error.problem)?.slice(0, 300)}`);
  }
};

/** The outcome in a form two watches can be compared by. */
const summary = (watched: Watched): unknown => ({
  events: watched.events.map((e) => [e.type, e.data]),
  ending: watched.ending.completed ? 'completed' : { code: (watched.ending.error as GatewayClientError).error_code, status: (watched.ending.error as GatewayClientError).status },
  requests: watched.requests,
});

// ---- valid streams -----------------------------------------------------------------------------------------------

const EVENT_STREAM = { 'Content-Type': 'text/event-stream; charset=utf-8' };
const text = fc.string({ unit: 'grapheme', maxLength: 12 });

const problem = (status: number, code: string) => ({ type: `/errors#${code}`, title: 'Upstream error', status, detail: 'd', instance: `/v3/${PROJECT}/jobs/precheck-progress`, error_code: code, error_msg: 'm', request_id: 'r' });

interface Frame {
  event?: string;
  data?: unknown;
  comment?: string;
  field?: string;
}

const frameFor = (jobs: readonly string[]): fc.Arbitrary<Frame> => {
  const job = fc.constantFrom(...jobs);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ job_id: job, process: fc.constantFrom('0%', '35%', '100%'), total_passed_rate: fc.constantFrom('0%', '80%', '100%'), result: fc.boolean(), error_msg: text }).map((data) => ({ event: 'progress', data })) },
    { weight: 3, arbitrary: fc.record({ job_id: job, result: fc.boolean(), total_passed_rate: fc.constantFrom('100%'), error_code: fc.constantFrom('DRS.M00304', 'GW.3004'), error_msg: text }, { requiredKeys: ['job_id'] }).map((data) => ({ event: 'done', data })) },
    { weight: 1, arbitrary: fc.constantFrom<Frame>({ comment: 'keep-alive' }, { comment: '' }, { field: 'id: 7' }, { field: 'retry: 3000' }) },
    { weight: 1, arbitrary: fc.record({ hint: text }).map((data) => ({ event: 'hint', data })) },
  );
};
const lastFrame = fc.constantFrom<Frame | undefined>(undefined, { event: 'end', data: { reason: 'max-lifetime' } }, { event: 'error', data: problem(502, 'GW.3005') }, { event: 'error', data: problem(401, 'GW.1003') });

/** Writes frames as the SSE format allows them: any of its three line ends, `data:` with or without a space, JSON on one line or several. */
const serialise = (frames: readonly Frame[], eol: string, spaced: boolean, multiline: boolean): string =>
  frames
    .map((frame) => {
      if (frame.comment !== undefined) return `:${spaced ? ' ' : ''}${frame.comment}${eol}${eol}`;
      if (frame.field !== undefined) return `${frame.field}${eol}`;
      const json = JSON.stringify(frame.data, null, multiline ? 1 : undefined);
      const data = json.split('\n').map((line) => `data:${spaced ? ' ' : ''}${line}${eol}`).join('');
      return `event:${spaced ? ' ' : ''}${frame.event}${eol}${data}${eol}`;
    })
    .join('');

const validStream: fc.Arbitrary<ChunkingInput> = fc
  .uniqueArray(fc.constantFrom(...JOBS), { minLength: 1, maxLength: 3 })
  .chain((jobs) =>
    fc.record({
      jobs: fc.constant(jobs),
      frames: fc.array(frameFor(jobs), { maxLength: 12 }),
      last: lastFrame,
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      spaced: fc.boolean(),
      multiline: fc.boolean(),
    }),
  )
  .chain(({ jobs, frames, last, eol, spaced, multiline }) => {
    const streamText = serialise(last ? [...frames, last] : frames, eol, spaced, multiline);
    const length = Buffer.byteLength(streamText);
    const cuts = fc.oneof(
      { weight: 4, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constant(Array.from({ length }, (_, i) => i)) },
    );
    return cuts.map((c) => ({ jobs, text: streamText, cuts: c }));
  });

/** Later connections (after a drop, an `end` or an expired token) finish every job they ask for, alike for every chunking. */
const finishing: Answer = (asked) =>
  new Response(asked.map((job) => `event: done\ndata: ${JSON.stringify({ job_id: job, result: true })}\n\n`).join(''), { status: 200, headers: EVENT_STREAM });
const FOLLOW_UPS: Answer[] = [finishing, finishing, finishing, finishing];

const checkChunking = async (input: ChunkingInput): Promise<void> => {
  const bytes = toLatin1(input.text);
  const whole = await watch(input.jobs, [() => responseOf({ status: 200, headers: EVENT_STREAM, bytes, cuts: [] }), ...FOLLOW_UPS]);
  const chunked = await watch(input.jobs, [() => responseOf({ status: 200, headers: EVENT_STREAM, bytes, cuts: input.cuts }), ...FOLLOW_UPS]);
  expectWellBehaved(input.jobs, whole);
  expectWellBehaved(input.jobs, chunked);
  expect(summary(chunked)).toEqual(summary(whole));
};

// ---- garbage ---------------------------------------------------------------------------------------------------

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.record({ job_id: fc.oneof(fc.constantFrom(...JOBS), fc.jsonValue({ maxDepth: 0 })), process: fc.jsonValue({ maxDepth: 0 }), result: fc.jsonValue({ maxDepth: 0 }) }, { requiredKeys: [] }),
  fc.record({ status: fc.jsonValue({ maxDepth: 0 }), error_code: fc.jsonValue({ maxDepth: 0 }), error_msg: fc.jsonValue({ maxDepth: 0 }), reason: fc.jsonValue({ maxDepth: 0 }) }, { requiredKeys: [] }),
);
const dataText = fc.oneof(
  { weight: 4, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '{"job_id":', 'null', '[]', '0', '"text"', 'plain text', '\u0000') },
  { weight: 1, arbitrary: text },
);
const line = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('progress', 'done', 'error', 'end', 'message', '', 'Progress', 'hint'), dataText).map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`) },
  { weight: 1, arbitrary: dataText.map((data) => `data: ${data}\n`) },
  { weight: 1, arbitrary: fc.constantFrom(': keep-alive\n\n', 'id: \u0000\n', 'retry: soon\n', '\n', '\r', '\r\n', 'event\n', ':\n', '\uFEFF', 'data\n\n') },
  { weight: 1, arbitrary: text },
);
const garbageBytes = fc.oneof(
  { weight: 4, arbitrary: fc.array(line, { maxLength: 12 }).map((lines) => toLatin1(lines.join(''))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
);
const garbageHeaders = fc.oneof(
  { weight: 4, arbitrary: fc.constant(EVENT_STREAM) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ 'Content-Type': 'text/html' }, { 'Content-Type': 'application/problem+json', 'Retry-After': '0' }, { 'Content-Length': '0' }, {}) },
);
const garbageConnection: fc.Arbitrary<Connection> = fc.record({
  status: fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(204, 206, 400, 401, 404, 429, 500, 502, 503) }),
  headers: garbageHeaders,
  bytes: garbageBytes,
  cuts: fc.uniqueArray(fc.nat({ max: 400 }), { maxLength: 10 }),
});
const garbage: fc.Arbitrary<WatchInput> = fc.record({
  jobs: fc.uniqueArray(fc.constantFrom(...JOBS), { minLength: 1, maxLength: 3 }),
  connections: fc.array(garbageConnection, { minLength: 1, maxLength: 5 }),
});

const checkGarbage = async (input: WatchInput): Promise<void> => {
  const answers = input.connections.map((connection) => () => responseOf(connection));
  expectWellBehaved(input.jobs, await watch(input.jobs, answers));
};

describe('the client progress stream under fuzzing', () => {
  describe('replays its kept corpus first', () => {
    replayCorpus('sse-chunking', checkChunking);
    replayCorpus('sse-garbage', checkGarbage);
  });

  it('reads a valid stream cut into any chunks (inside UTF-8 sequences and CRLF pairs included) exactly as in one chunk', async () => {
    await assertFuzz('sse-chunking', fc.asyncProperty(validStream, checkChunking), 150);
  }, FUZZ_TIMEOUT_MS);

  it('ends garbage streams and answers with every job done or a GatewayClientError, never delivering a done twice', async () => {
    await assertFuzz('sse-garbage', fc.asyncProperty(garbage, checkGarbage), 150);
  }, FUZZ_TIMEOUT_MS);
});
