import { setTimeout as sleep } from 'node:timers/promises';
import { boundedDestination, closeDestination, createLogger } from '../src/logger';
import { createFifo, type Fifo } from './support/fifo';
import { logLines } from './support/logLines';

/** Every line the same length: `n` always has three digits. */
const lineFields = (n: number) => ({ n: String(n).padStart(3, '0') });

const lineBytes = (): number => {
  const { sink, lines } = logLines();
  createLogger('info', sink).info(lineFields(0), 'line');
  return Buffer.byteLength(`${lines[0]}\n`);
};

const numbersIn = (text: string): number[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Number((JSON.parse(line) as { n: string }).n));

describe('boundedDestination', () => {
  let fifo: Fifo;
  beforeEach(() => {
    fifo = createFifo();
  });
  afterEach(() => fifo.close());

  it('holds lines up to its bound while the reader is stalled, drops and counts the rest, and takes lines again once the reader catches up', async () => {
    const destination = boundedDestination(fifo.fullWriter(), 10 * lineBytes());
    const logger = createLogger('info', destination.stream);

    for (let n = 0; n < 25; n += 1) logger.info(lineFields(n), 'line');
    expect(destination.droppedLines()).toBe(15);
    // sonic-boom retries a full pipe every 100 ms: still full, so the held lines stay held and a new one is dropped.
    await sleep(250);
    logger.info(lineFields(25), 'line');
    expect(destination.droppedLines()).toBe(16);

    let written = fifo.drain();
    while (numbersIn(written).length < 10) {
      await sleep(20);
      written += fifo.drain();
    }
    for (let n = 26; n < 31; n += 1) logger.info(lineFields(n), 'line');
    while (numbersIn(written).length < 15) {
      await sleep(20);
      written += fifo.drain();
    }
    expect(numbersIn(written)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 26, 27, 28, 29, 30]);
    expect(destination.droppedLines()).toBe(16);
    await closeDestination(destination.stream, 1_000);
  });
});
