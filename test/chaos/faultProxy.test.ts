// The chaos run's own TCP fault proxy: what reaches the target and what comes back under each fault.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../../chaos/lib/faultProxy';

/** A target that records what it received and answers each chunk with `ok:<chunk>`. */
const startTarget = async () => {
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk.toString());
      socket.write(`ok:${chunk.toString()}`);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

/** Sends `text` through the proxy; resolves with what came back, or how the connection ended, within `waitMs`. */
const exchange = (port: number, text: string, waitMs = 2_000): Promise<{ answer: string; ended: 'reset' | 'open' | 'closed'; ms: number }> =>
  new Promise((resolve) => {
    const started = Date.now();
    let answer = '';
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => socket.write(text));
    const finish = (ended: 'reset' | 'open' | 'closed'): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, ended, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('open'), waitMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.length >= `ok:${text}`.length) finish('open');
    });
    socket.on('error', () => finish('reset'));
    socket.on('close', () => finish('closed'));
  });

describe('the chaos fault proxy', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    target = await startTarget();
    proxy = await startFaultProxy('test', target.port);
  });
  afterEach(async () => {
    await proxy.stop();
    await target.stop();
  });

  it('forwards both ways without a fault', async () => {
    expect(await exchange(proxy.port, 'start')).toMatchObject({ answer: 'ok:start' });
    expect(target.received).toEqual(['start']);
  });

  it('reset-after: the target gets the request and answers, the client gets a reset and no byte of the answer', async () => {
    proxy.setFault({ kind: 'reset-after', probability: 1 });
    expect(await exchange(proxy.port, 'start')).toMatchObject({ answer: '', ended: 'reset' });
    expect(target.received).toEqual(['start']);
    expect(proxy.counts().resetsAfter).toBe(1);
  });

  it('reset-before: the client gets a reset and the target never sees the request', async () => {
    proxy.setFault({ kind: 'reset-before', probability: 1 });
    expect(await exchange(proxy.port, 'start')).toMatchObject({ answer: '', ended: 'reset' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.received).toEqual([]);
  });

  it('latency: delays each way by at least the latency', async () => {
    proxy.setFault({ kind: 'latency', ms: 150 });
    const result = await exchange(proxy.port, 'start');
    expect(result.answer).toBe('ok:start');
    expect(result.ms).toBeGreaterThanOrEqual(290);
  });

  it('blackhole: nothing arrives either way, and a connection that lost bytes is cut when it ends', async () => {
    proxy.setFault({ kind: 'blackhole' });
    const pending = exchange(proxy.port, 'start', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.received).toEqual([]);
    proxy.setFault(undefined);
    expect(await pending).toMatchObject({ answer: '', ended: 'reset' });
    expect(await exchange(proxy.port, 'again')).toMatchObject({ answer: 'ok:again' });
  });
});
