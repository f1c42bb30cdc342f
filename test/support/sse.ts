// Reads a server-sent-event stream over fetch (as a browser would, bearer header included) until it ends.
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  comments: number;
}

/** Feeds the body's chunks to `onBlock`, one call per complete event or comment block. */
const readBlocks = async (body: AsyncIterable<unknown>, onBlock: (block: SseEvent | 'comment') => void): Promise<void> => {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) onBlock('comment');
      else {
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
        onBlock({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
      end = buffer.indexOf('\n\n');
    }
  }
};

export const readSse = async (url: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<SseResult> => {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const result: SseResult = { status: response.status, contentType: response.headers.get('content-type'), events: [], comments: 0 };
  if (!response.body) return result;
  await readBlocks(response.body, (block) => {
    if (block === 'comment') result.comments += 1;
    else result.events.push(block);
  });
  return result;
};

export interface LiveSse {
  /** The response status; 0 when the request failed or was aborted before an answer. */
  status: Promise<number>;
  /** Filled as events arrive. */
  events: SseEvent[];
  /** Resolves when the server ends the stream or the abort does; never rejects. */
  ended: Promise<void>;
  abort(): void;
}

/** Opens a stream and reads it in the background, for tests that act while it is open. */
export const openSse = (url: string, headers: Record<string, string>): LiveSse => {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  let resolveStatus: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const ended = (async () => {
    try {
      const response = await fetch(url, { headers, signal: controller.signal });
      resolveStatus(response.status);
      if (response.body) await readBlocks(response.body, (block) => block !== 'comment' && events.push(block));
    } catch {
      resolveStatus(0);
    }
  })();
  return { status, events, ended, abort: () => controller.abort() };
};
