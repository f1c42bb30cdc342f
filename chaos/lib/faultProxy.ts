// A TCP fault proxy of our own (Toxiproxy is not installable here): forwards one port to one target and injects
// latency, a blackhole, a reset before a request is forwarded, or a reset after it was (the answer never returns).
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyFault =
  /** Every chunk, both ways, waits this long (order kept). */
  | { kind: 'latency'; ms: number }
  /** Connections are accepted, nothing is forwarded either way; connections that lost data are cut when it ends. */
  | { kind: 'blackhole' }
  /** With this probability, a chunk from the client is dropped and both sides reset: the target never sees it. */
  | { kind: 'reset-before'; probability: number }
  /** With this probability, the target's answer is dropped and both sides reset: the target did the work. */
  | { kind: 'reset-after'; probability: number };

export interface ProxyCounts {
  connections: number;
  resetsBefore: number;
  resetsAfter: number;
  blackholedChunks: number;
}

export interface FaultProxy {
  name: string;
  port: number;
  targetPort: number;
  setFault(fault: ProxyFault | undefined): void;
  fault(): ProxyFault | undefined;
  counts(): ProxyCounts;
  stop(): Promise<void>;
}

interface Pipe {
  client: Socket;
  upstream: Socket;
  tainted: boolean;
}

/** Writes chunks after a delay, in arrival order, whatever the delay was when each arrived. */
const delayedWriter = (dest: Socket) => {
  const queue: Array<{ chunk: Buffer; due: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  let lastDue = 0;
  const pump = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && (queue[0] as { due: number }).due <= now) {
      const { chunk } = queue.shift() as { chunk: Buffer };
      if (!dest.destroyed) dest.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(pump, (queue[0] as { due: number }).due - now);
  };
  return {
    write(chunk: Buffer, delayMs: number): void {
      if (delayMs <= 0 && queue.length === 0) {
        if (!dest.destroyed) dest.write(chunk);
        return;
      }
      lastDue = Math.max(Date.now() + delayMs, lastDue);
      queue.push({ chunk, due: lastDue });
      timer ??= setTimeout(pump, lastDue - Date.now());
    },
    clear(): void {
      clearTimeout(timer);
      queue.length = 0;
    },
  };
};

const resetBoth = (pipe: Pipe): void => {
  if (!pipe.client.destroyed) pipe.client.resetAndDestroy();
  if (!pipe.upstream.destroyed) pipe.upstream.resetAndDestroy();
};

export const startFaultProxy = async (name: string, targetPort: number, options: { port?: number; random?: () => number } = {}): Promise<FaultProxy> => {
  const random = options.random ?? Math.random;
  let current: ProxyFault | undefined;
  const pipes = new Set<Pipe>();
  const counts: ProxyCounts = { connections: 0, resetsBefore: 0, resetsAfter: 0, blackholedChunks: 0 };

  const server: Server = createServer((client) => {
    counts.connections += 1;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pipe: Pipe = { client, upstream, tainted: false };
    pipes.add(pipe);
    const toUpstream = delayedWriter(upstream);
    const toClient = delayedWriter(client);
    const latency = (): number => (current?.kind === 'latency' ? current.ms : 0);
    const close = (): void => {
      toUpstream.clear();
      toClient.clear();
      pipes.delete(pipe);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (current?.kind === 'blackhole') {
        pipe.tainted = true;
        counts.blackholedChunks += 1;
        return;
      }
      if (current?.kind === 'reset-before' && random() < current.probability) {
        counts.resetsBefore += 1;
        resetBoth(pipe);
        return;
      }
      toUpstream.write(chunk, latency());
    });
    upstream.on('data', (chunk: Buffer) => {
      if (current?.kind === 'blackhole') {
        pipe.tainted = true;
        counts.blackholedChunks += 1;
        return;
      }
      if (current?.kind === 'reset-after' && random() < current.probability) {
        counts.resetsAfter += 1;
        resetBoth(pipe);
        return;
      }
      toClient.write(chunk, latency());
    });
    // A reset on one side is passed on as a reset, a clean close as a clean close (after the delayed data).
    client.on('error', () => resetBoth(pipe));
    upstream.on('error', () => resetBoth(pipe));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', close);
    upstream.on('close', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    name,
    port,
    targetPort,
    setFault(fault) {
      const wasBlackhole = current?.kind === 'blackhole';
      current = fault;
      // A connection that lost bytes carries a broken stream: cut it, as a healed network's peers would find out.
      if (wasBlackhole && fault?.kind !== 'blackhole') for (const pipe of pipes) if (pipe.tainted) resetBoth(pipe);
    },
    fault: () => current,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const pipe of pipes) resetBoth(pipe);
        server.close(() => resolve());
      }),
  };
};
