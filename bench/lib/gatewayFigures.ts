// What the soak reads from the gateway under test itself: its overload readings (/readyz) and its counters (/metrics).
export interface OverloadReading {
  shedding: boolean;
  /** The gateway's own last sample: mean event-loop delay, the figure its shedding threshold applies to. */
  eventLoopDelayMs: number;
}

export interface GatewayCounters {
  shedRequests: number;
  logLinesDropped: number;
}

export const readOverload = async (origin: string): Promise<OverloadReading> => {
  const body = (await (await fetch(`${origin}/readyz`)).json()) as { overload: { state: string; eventLoopDelayMs: number } };
  return { shedding: body.overload.state === 'shedding', eventLoopDelayMs: body.overload.eventLoopDelayMs };
};

/** The sum over every label set of one counter in Prometheus text. */
const counterTotal = (text: string, name: string): number =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

export const readCounters = async (origin: string): Promise<GatewayCounters> => {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return { shedRequests: counterTotal(text, 'gateway_overload_shed_requests_total'), logLinesDropped: counterTotal(text, 'gateway_log_lines_dropped_total') };
};
