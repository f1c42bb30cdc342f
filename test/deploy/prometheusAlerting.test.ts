// A real Prometheus scrapes a running gateway with deploy/'s configuration and rules: the dashboard's queries answer, and the circuit-open alert fires when DRS fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { ensurePrometheusInstalled, startPrometheus, type PrometheusProcess } from '../support/prometheus/startPrometheus';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT } from '../support/tokens';
import { alertRules, panelExpressions, PROMETHEUS_CONFIG_FILE, readDashboard, readRules, variableQueries } from './deployFiles';

ensurePrometheusInstalled();

/** How long Prometheus gets to scrape, evaluate and report; generous, for a loaded machine. */
const PROMETHEUS_BOUND_MS = 60_000;
/** Every rule's `for:` in the test; the expressions stay as shipped. */
const SHORT_FOR = '1s';

interface ApiAnswer<T> {
  status: string;
  data: T;
  error?: string;
}
interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}
interface RuleGroup {
  name: string;
  lastEvaluation: string;
  rules: Array<{ name: string; health: string; state: string; lastError?: string }>;
}

const api = async <T>(prometheus: PrometheusProcess, path: string, params: Record<string, string> = {}): Promise<ApiAnswer<T>> => {
  const response = await fetch(`${prometheus.url}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as ApiAnswer<T>;
};

const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + PROMETHEUS_BOUND_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${PROMETHEUS_BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** No 5xx, no refusal, no Redis (so no store, no lock) and no failed refresh while the gateway and DRS are healthy. */
const staysEmptyWhileHealthy = (expr: string): boolean =>
  expr.includes('status=~"5.."') || /gateway_(rate_limit_rejections_total|redis_up|store_errors_total|iam_lock_waits_total|iam_refresh_failures_total)\b/.test(expr);

/** A panel's PromQL as Grafana sends it with every variable at "All" and the job of the example configuration. */
const asGrafanaSends = (expr: string): string => expr.replaceAll('$__rate_interval', '30s').replaceAll('$job', 'drs-gateway').replaceAll('$instance', '.+').replaceAll('$region', '.+');

describe('Prometheus scraping a gateway with the shipped configuration and alert rules', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  let prometheus: PrometheusProcess | undefined;
  let dir: string;
  let target: string;
  const token = bearer();
  const precheck = () => send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });

  beforeAll(async () => {
    // An open circuit stays open for the whole test (it would let a probe through after the default 10 s).
    gateway = await startTestGateway({ METRICS_PORT: '0', RATE_LIMIT_MAX: '10000' }, { circuitOpenMs: 600_000 });
    simulator = gateway.simulator as Simulator;
    target = new URL(gateway.metricsUrl as string).host;
    dir = mkdtempSync(join(tmpdir(), 'drs-prometheus-'));

    const rules = readRules();
    for (const rule of alertRules(rules)) rule.for = SHORT_FOR;
    writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
    const config = parse(readFileSync(PROMETHEUS_CONFIG_FILE, 'utf8')) as { global: Record<string, string>; rule_files: string[]; scrape_configs: Array<Record<string, unknown>> };
    config.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
    config.scrape_configs = config.scrape_configs.map((scrape) => ({ ...scrape, static_configs: [{ targets: [target] }] }));
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    mkdirSync(join(dir, 'data'));

    prometheus = await startPrometheus({ configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data') });
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('loads the six rules with their expressions as shipped and only for: shortened', async () => {
    const written = alertRules(parse(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as ReturnType<typeof readRules>);
    expect(written.map(({ alert, expr }) => ({ alert, expr }))).toEqual(alertRules().map(({ alert, expr }) => ({ alert, expr })));
    const groups = (await api<{ groups: Array<{ rules: Array<{ name: string; duration: number; health: string }> }> }>(prometheus as PrometheusProcess, '/api/v1/rules')).data.groups;
    expect(groups.flatMap((group) => group.rules).map(({ name, duration }) => ({ name, duration }))).toEqual(written.map((rule) => ({ name: rule.alert, duration: 1 })));
  });

  it("answers every dashboard query, with data for the panels a healthy gateway's traffic fills, and fires no alert", async () => {
    const running = prometheus as PrometheusProcess;
    expect((await precheck()).status).toBe(200);
    expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } })).status).toBe(200);

    const dashboard = readDashboard();
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    for (const panel of panels) {
      for (const expr of panelExpressions({ ...dashboard, panels: [panel] })) {
        const answer = await eventually(`${panel.title}: ${expr}`, async () => {
          const result = await api<{ result: unknown[] }>(running, '/api/v1/query', { query: asGrafanaSends(expr) });
          return result.status !== 'success' || result.data.result.length > 0 || staysEmptyWhileHealthy(expr) ? result : undefined;
        });
        expect({ panel: panel.title, expr, status: answer.status, error: answer.error }).toEqual({ panel: panel.title, expr, status: 'success', error: undefined });
      }
    }
    for (const query of variableQueries(dashboard)) {
      const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(query) as RegExpExecArray;
      const values = await api<string[]>(running, `/api/v1/label/${label}/values`, { 'match[]': asGrafanaSends(selector as string) });
      expect({ query, values: values.data }).toEqual({ query, values: [{ job: 'drs-gateway', instance: target, region: 'default' }[label as string]] });
    }

    // Every rule evaluated without error on the scraped series, and none fires for a healthy gateway.
    const scrapedAt = Date.now();
    const group = await eventually('a rule evaluation after the scrape', async () => {
      const groups = (await api<{ groups: RuleGroup[] }>(running, '/api/v1/rules')).data.groups;
      return groups.find((candidate) => Date.parse(candidate.lastEvaluation) > scrapedAt + 1_000);
    });
    expect(group.rules.map((rule) => ({ rule: rule.name, health: rule.health, state: rule.state }))).toEqual(group.rules.map((rule) => ({ rule: rule.name, health: 'ok', state: 'inactive' })));
    expect((await api<{ alerts: Alert[] }>(running, '/api/v1/alerts')).data.alerts).toEqual([]);
  }, 120_000);

  it('fires GatewayUpstreamCircuitOpen for region default once DRS keeps failing', async () => {
    const running = prometheus as PrometheusProcess;
    expect((await precheck()).status).toBe(200);
    await eventually('the closed circuit scraped', async () => {
      const answer = await api<{ result: Array<{ value: [number, string] }> }>(running, '/api/v1/query', { query: 'gateway_upstream_circuit_state{region="default"}' });
      return answer.data.result[0]?.value[1] === '0' ? true : undefined;
    });

    simulator.faults.set({ drs: { kind: 'status', status: 503 } });
    const statuses: string[] = [];
    while (!statuses.includes('GW.3006')) {
      expect(statuses.length).toBeLessThan(20);
      statuses.push(String((await precheck()).json().error_code));
    }
    expect(statuses.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => 'GW.3005'));
    expect(gateway.simulators.default?.url).toBe(simulator.url);

    const alert = await eventually('GatewayUpstreamCircuitOpen firing', async () => {
      const alerts = (await api<{ alerts: Alert[] }>(running, '/api/v1/alerts')).data.alerts;
      return alerts.find((candidate) => candidate.labels.alertname === 'GatewayUpstreamCircuitOpen' && candidate.state === 'firing');
    });
    expect(alert.labels).toEqual({ alertname: 'GatewayUpstreamCircuitOpen', severity: 'critical', job: 'drs-gateway', instance: target, region: 'default' });
    expect(alert.annotations.runbook_url).toBe('docs/operations.md#alert-gatewayupstreamcircuitopen');
    expect(alert.annotations.description).toContain(`${target} has refused calls to DRS in region default`);
  }, 120_000);
});
