// A test collector: accepts OTLP/HTTP trace exports (protobuf or JSON, gzip or not) and keeps their spans, decoded.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  attributes: Record<string, AttributeValue>;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
  resource: Record<string, AttributeValue>;
  scope: { name: string; version?: string };
}

export interface ReceivedExport {
  contentType: string;
  contentEncoding?: string;
  headers: IncomingHttpHeaders;
  /** The request body, decompressed: tests look for secrets in the whole export, not only in the decoded fields. */
  body: Buffer;
  spans: ReceivedSpan[];
}

/** 200 (the default), another status, or never answer (a collector that accepts connections and hangs). */
export type ReceiverAnswer = number | 'hang';

export interface OtlpReceiver {
  /** The collector's base URL, as OTEL_EXPORTER_OTLP_ENDPOINT names it. */
  url: string;
  /** Where traces are posted: url + /v1/traces. */
  tracesUrl: string;
  exports: ReceivedExport[];
  spans(): ReceivedSpan[];
  /** Resolves with every span received once `done` holds for them, or rejects after `timeoutMs`. */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  answer(next: ReceiverAnswer): void;
  /** Requests that reached the server, answered or not. */
  requestCount(): number;
  close(): Promise<void>;
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;

/**
 * The part of the OTLP trace messages the tests read, by the field numbers of opentelemetry-proto's
 * collector/trace/v1 and trace/v1; protobuf skips the fields left out. Enums are read as their numbers.
 */
const OTLP = protobuf.Root.fromJSON({
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        status: { type: 'Status', id: 15 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
  },
}).lookupType('ExportTraceServiceRequest');

/** The OTLP/JSON shape; protobuf messages are brought to it (ids as hex) before one reader handles both. */
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string;
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: JsonKeyValue[];
  status?: { code?: number; message?: string };
}
interface JsonRequest {
  resourceSpans?: Array<{ resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: Array<{ scope?: { name?: string; version?: string }; spans?: JsonSpan[] }> }>;
}

const valueOf = (value: JsonAnyValue | undefined): AttributeValue => {
  if (value === undefined) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  return value.bytesValue ?? '';
};

const attributesOf = (list: JsonKeyValue[] | undefined): Record<string, AttributeValue> => Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

const spansOf = (request: JsonRequest): ReceivedSpan[] =>
  (request.resourceSpans ?? []).flatMap((resourceSpans) =>
    (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        name: span.name,
        kind: KINDS[span.kind ?? 0] ?? 'UNSPECIFIED',
        attributes: attributesOf(span.attributes),
        status: { code: STATUS_CODES[span.status?.code ?? 0] ?? 'UNSET', ...(span.status?.message ? { message: span.status.message } : {}) },
        resource: attributesOf(resourceSpans.resource?.attributes),
        scope: { name: scopeSpans.scope?.name ?? '', ...(scopeSpans.scope?.version ? { version: scopeSpans.scope.version } : {}) },
      })),
    ),
  );

/** OTLP/JSON writes trace and span ids as hex; protobuf carries bytes. */
const fromProtobuf = (body: Buffer): JsonRequest =>
  OTLP.toObject(OTLP.decode(body), {
    longs: String,
    bytes: String,
  }) as JsonRequest;

const hexIds = (request: JsonRequest): JsonRequest => {
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        span.traceId = Buffer.from(span.traceId, 'base64').toString('hex');
        span.spanId = Buffer.from(span.spanId, 'base64').toString('hex');
        if (span.parentSpanId) span.parentSpanId = Buffer.from(span.parentSpanId, 'base64').toString('hex');
      }
    }
  }
  return request;
};

const decode = (contentType: string, body: Buffer): ReceivedSpan[] | undefined => {
  if (contentType === 'application/x-protobuf') return spansOf(hexIds(fromProtobuf(body)));
  if (contentType === 'application/json') return spansOf(JSON.parse(body.toString('utf8')) as JsonRequest);
  return undefined;
};

const reply = (res: ServerResponse, status: number, contentType: string): void => {
  // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
  const body = status === 200 && contentType === 'application/json' ? '{}' : '';
  res.writeHead(status, { 'Content-Type': contentType || 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
};

export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const exports: ReceivedExport[] = [];
  let answer: ReceiverAnswer = 200;
  let requests = 0;
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (answer === 'hang') return;
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      if (req.method !== 'POST' || req.url !== '/v1/traces') return reply(res, 404, '');
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      let spans: ReceivedSpan[] | undefined;
      try {
        spans = decode(contentType, body);
      } catch {
        return reply(res, 400, '');
      }
      if (spans === undefined) return reply(res, 415, '');
      if (answer !== 200) return reply(res, answer, contentType);
      exports.push({ contentType, contentEncoding: req.headers['content-encoding'], headers: req.headers, body, spans });
      for (const wake of waiters) wake();
      reply(res, 200, contentType);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spans = () => exports.flatMap((e) => e.spans);
  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    exports,
    spans,
    waitFor: (done, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!done(spans())) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(spans());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the receiver did not get the expected spans within ${timeoutMs} ms; it has: ${spans().map((s) => s.name).join(', ') || 'none'}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    answer: (next) => {
      answer = next;
    },
    requestCount: () => requests,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
};
