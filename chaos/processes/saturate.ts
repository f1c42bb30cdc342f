// Child process of the overload phase: the soak's load generator against one gateway, in a process of its own, so its
// hundreds of connections share no event loop with the experiment's fault proxies. Settings come as JSON in
// CHAOS_SATURATE; each answer goes to stdout as one JSON line, and last the run's result.
import { runLoad, type LoadOptions } from '../../bench/lib/load';
import type { GeneratorLine } from '../lib/load';

/** The headers the history keeps of an answer (autocannon gives them in the server's case). */
const KEPT = ['content-type', 'retry-after', 'ratelimit', 'idempotency-replayed'];

const options = JSON.parse(process.env.CHAOS_SATURATE ?? '') as Omit<LoadOptions, 'onAnswer'>;
const emit = (line: GeneratorLine, then?: () => void): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`, then);
};

runLoad({
  ...options,
  onAnswer: ({ sentAt, status, body, headers }) => {
    const kept = Object.entries(headers).filter(([name]) => KEPT.includes(name.toLowerCase()));
    const ok = status >= 200 && status < 300;
    emit({ answer: { sentAt, answeredAt: Date.now(), status, body: ok ? '' : body, headers: Object.fromEntries(kept.map(([name, value]) => [name.toLowerCase(), String(value)])) } });
  },
}).then(
  // An explicit exit once the lines are out: autocannon can leave TCP handles behind that keep node's exit-time
  // clean-up spinning forever (seen with the gateways under overload).
  (result) => emit({ result }, () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`, () => process.exit(1));
  },
);
