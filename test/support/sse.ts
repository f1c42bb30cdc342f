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

export const readSse = async (url: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<SseResult> => {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const result: SseResult = { status: response.status, contentType: response.headers.get('content-type'), events: [], comments: 0 };
  if (!response.body) return result;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) result.comments += 1;
      else {
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
        result.events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return result;
};
