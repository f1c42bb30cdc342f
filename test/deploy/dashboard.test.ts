// deploy/grafana/drs-gateway-dashboard.json: importable as it is, and showing every topic the on-call engineer needs.
import { panelExpressions, readDashboard, variableQueries, type Dashboard, type DashboardPanel } from './deployFiles';

const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
const GRAFANA_VARIABLES = new Set(['__rate_interval', '__interval', '__range']);

const exprsOf = (panel: DashboardPanel): string[] => (panel.targets ?? []).map((target) => target.expr);
/** The labels of every `by (...)` in an expression. */
const groupedBy = (expr: string): string[] => [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) => (match[1] as string).split(',').map((label) => label.trim()));
const uses = (expr: string, metric: string): boolean => new RegExp(`\\b${metric}\\b`).test(expr);
const quantilesOf = (panel: DashboardPanel, metric: string): number[] =>
  exprsOf(panel).flatMap((expr) => (uses(expr, metric) ? [...expr.matchAll(/histogram_quantile\(([0-9.]+),/g)].map((match) => Number(match[1])) : []));
const countsBy = (metric: string, labels: readonly string[]) => (panel: DashboardPanel): boolean =>
  exprsOf(panel).some((expr) => uses(expr, metric) && labels.every((label) => groupedBy(expr).includes(label)));
const percentiles = (metric: string, wanted: readonly number[], by: readonly string[] = []) => (panel: DashboardPanel): boolean =>
  wanted.every((q) => quantilesOf(panel, metric).includes(q)) && exprsOf(panel).every((expr) => !uses(expr, metric) || by.every((label) => groupedBy(expr).includes(label)));
const mapsValues = (metric: string, texts: Record<string, string>) => (panel: DashboardPanel): boolean => {
  const mappings = (panel as { fieldConfig?: { defaults?: { mappings?: Array<{ options: Record<string, { text: string }> }> } } }).fieldConfig?.defaults?.mappings ?? [];
  const shown = Object.fromEntries(mappings.flatMap((mapping) => Object.entries(mapping.options).map(([value, option]) => [value, option.text])));
  return exprsOf(panel).some((expr) => uses(expr, metric)) && Object.entries(texts).every(([value, text]) => shown[value] === text);
};

/** Each topic the issue asks for, and how a panel shows it. */
const TOPICS: ReadonlyArray<[topic: string, shows: (panel: DashboardPanel) => boolean]> = [
  ['traffic by route and status', countsBy('gateway_http_request_duration_seconds_count', ['route', 'status'])],
  ['5xx ratio', (panel) => exprsOf(panel).some((expr) => uses(expr, 'gateway_http_request_duration_seconds_count') && expr.includes('status=~"5.."') && expr.includes(' / '))],
  ['latency percentiles p50, p90, p99', percentiles('gateway_http_request_duration_seconds_bucket', [0.5, 0.9, 0.99])],
  ['upstream latency by region p50, p99', percentiles('gateway_upstream_request_duration_seconds_bucket', [0.5, 0.99], ['region'])],
  ['refusals by limiter', countsBy('gateway_rate_limit_rejections_total', ['limiter'])],
  ['IAM fetches by outcome', countsBy('gateway_iam_fetches_total', ['outcome'])],
  ['IAM fetch duration', percentiles('gateway_iam_fetch_duration_seconds_bucket', [0.5, 0.99])],
  ['circuit state per region', (panel) => countsBy('gateway_upstream_circuit_state', ['region'])(panel) && mapsValues('gateway_upstream_circuit_state', { 0: 'closed', 1: 'half-open', 2: 'open' })(panel)],
  ['Redis up', mapsValues('gateway_redis_up', { 0: 'down', 1: 'up' })],
  ['open progress streams', (panel) => exprsOf(panel).some((expr) => uses(expr, 'gateway_progress_streams_open'))],
  ['progress polls by outcome', countsBy('gateway_progress_polls_total', ['outcome'])],
];

const missingTopics = (dashboard: Dashboard): string[] => TOPICS.filter(([, shows]) => !dashboard.panels.some(shows)).map(([topic]) => topic);

describe('the Grafana dashboard', () => {
  const dashboard = readDashboard();
  const panels = dashboard.panels.filter((panel) => panel.type !== 'row');

  it('parses, with a uid, a title and a recent schemaVersion', () => {
    expect(dashboard).toMatchObject({ uid: 'drs-precheck-gateway', title: 'DRS Pre-check Gateway' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it('has a panel for each topic', () => {
    expect(missingTopics(dashboard)).toEqual([]);
  });

  it('reports a topic as missing when its panel is gone', () => {
    const withoutCircuit = { ...dashboard, panels: dashboard.panels.filter((panel) => !exprsOf(panel).some((expr) => uses(expr, 'gateway_upstream_circuit_state'))) };
    expect(missingTopics(withoutCircuit)).toEqual(['circuit state per region']);
  });

  it('reads every panel and query variable from the ${DS_PROMETHEUS} data source variable, so it imports into any Grafana', () => {
    expect(dashboard.templating.list.find((variable) => variable.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of panels) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: DATASOURCE });
      expect((panel.targets ?? []).length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect({ panel: panel.title, datasource: target.datasource }).toEqual({ panel: panel.title, datasource: DATASOURCE });
    }
    for (const variable of dashboard.templating.list.filter((candidate) => candidate.type === 'query')) expect(variable.datasource).toEqual(DATASOURCE);
  });

  it('defines every variable its queries use', () => {
    const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
    const used = [...panelExpressions(dashboard), ...variableQueries(dashboard)].flatMap((expr) => [...expr.matchAll(/\$\{?(\w+)/g)].map((match) => match[1] as string));
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].filter((name) => !defined.has(name) && !GRAFANA_VARIABLES.has(name))).toEqual([]);
  });

  it('gives each panel its own id and a place on the 24-column grid that no other panel takes', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    const misplaced: string[] = [];
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      if (x < 0 || w <= 0 || h <= 0 || x + w > 24) misplaced.push(`${panel.title} is off the grid`);
      for (let row = y; row < y + h; row += 1) {
        for (let column = x; column < x + w; column += 1) {
          const taken = cells.get(`${column},${row}`);
          if (taken !== undefined) misplaced.push(`${panel.title} overlaps ${taken}`);
          cells.set(`${column},${row}`, panel.title);
        }
      }
    }
    expect(misplaced).toEqual([]);
  });
});
