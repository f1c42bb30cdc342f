import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { chain } from '../../src/http/chain';

const req = {} as Request;
const res = {} as Response;

/** Runs the chain and resolves with what it passed to the outer next ('not called' if it never did). */
const run = (middlewares: RequestHandler[]): Promise<{ outcome: unknown; calls: string[] }> =>
  new Promise((resolve) => {
    const calls: string[] = [];
    const recorded = middlewares.map((m, i) => ((rq: Request, rs: Response, nx: NextFunction) => {
      calls.push(`m${i}`);
      return m(rq, rs, nx);
    }) as RequestHandler);
    chain(recorded)(req, res, (error?: unknown) => resolve({ outcome: error, calls }));
    setTimeout(() => resolve({ outcome: 'not called', calls }), 50);
  });

const pass: RequestHandler = (_rq, _rs, nx) => nx();

describe('chain', () => {
  it('runs every middleware in order, then calls next once with nothing', async () => {
    expect(await run([pass, pass, pass])).toEqual({ outcome: undefined, calls: ['m0', 'm1', 'm2'] });
  });

  it('stops at the first error and hands it on, skipping the rest', async () => {
    const boom = new Error('boom');
    expect(await run([pass, (_rq, _rs, nx) => nx(boom), pass])).toEqual({ outcome: boom, calls: ['m0', 'm1'] });
  });

  it('hands on what a middleware throws, and what an async one rejects with', async () => {
    const thrown = new Error('thrown');
    const rejected = new Error('rejected');
    expect(await run([() => { throw thrown; }, pass])).toEqual({ outcome: thrown, calls: ['m0'] });
    expect(await run([async () => { throw rejected; }, pass])).toEqual({ outcome: rejected, calls: ['m0'] });
  });

  it('treats a rejection or throw without a value as a failure, never as passing on', async () => {
    const rejected = await run([async () => Promise.reject(undefined), pass]);
    expect(rejected.outcome).toBeInstanceOf(Error);
    expect(rejected.calls).toEqual(['m0']);
    const thrown = await run([() => { throw null; }, pass]);
    expect(thrown.outcome).toBeInstanceOf(Error);
    expect(thrown.calls).toEqual(['m0']);
  });

  it('ends the walk without calling next when a middleware answers instead', async () => {
    expect(await run([pass, () => undefined, pass])).toEqual({ outcome: 'not called', calls: ['m0', 'm1'] });
  });
});
