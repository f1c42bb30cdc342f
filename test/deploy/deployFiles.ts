// Reads deploy/'s alert rules and Grafana dashboard for the tests, and finds the metric names their PromQL uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const DEPLOY_DIR = join(__dirname, '..', '..', 'deploy');
export const RULES_FILE = join(DEPLOY_DIR, 'prometheus', 'alerts.yml');
export const RULE_TESTS_FILE = join(DEPLOY_DIR, 'prometheus', 'alerts.test.yml');
export const PROMETHEUS_CONFIG_FILE = join(DEPLOY_DIR, 'prometheus', 'prometheus.yml');
export const DASHBOARD_FILE = join(DEPLOY_DIR, 'grafana', 'drs-gateway-dashboard.json');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RulesFile {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

export const readRules = (): RulesFile => parse(readFileSync(RULES_FILE, 'utf8')) as RulesFile;

export const alertRules = (rules: RulesFile = readRules()): AlertRule[] => rules.groups.flatMap((group) => group.rules);

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type: string; uid: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: TemplateVariable[] };
}

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** The PromQL of every panel target. */
export const panelExpressions = (dashboard: Dashboard): string[] => dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** The template variables' queries (Grafana's `label_values(<selector>, <label>)`). */
export const variableQueries = (dashboard: Dashboard): string[] =>
  dashboard.templating.list.filter((variable) => variable.type === 'query').map((variable) => (typeof variable.query === 'string' ? variable.query : variable.query.query));

/** Every metric name in these PromQL texts (gateway_ names only: the gateway's metrics all carry that prefix). */
export const metricNamesIn = (expressions: readonly string[]): string[] =>
  [...new Set(expressions.flatMap((expr) => expr.match(/\bgateway_[a-zA-Z0-9_:]*/g) ?? []))].sort();

/** `# TYPE <name> <type>` lines of a Prometheus text exposition. */
export const exposedTypes = (exposition: string): Map<string, string> =>
  new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] as string, match[2] as string]));

/** Series a histogram or summary exposes besides its own name. */
const SUFFIXES: Record<string, readonly string[]> = { _bucket: ['histogram'], _sum: ['histogram', 'summary'], _count: ['histogram', 'summary'] };

const isExposed = (name: string, types: ReadonlyMap<string, string>): boolean => {
  if (types.has(name)) return true;
  return Object.entries(SUFFIXES).some(([suffix, kinds]) => name.endsWith(suffix) && kinds.includes(types.get(name.slice(0, -suffix.length)) ?? ''));
};

/** The names a text exposition does not declare, counting a histogram's `_bucket`, `_sum` and `_count` as its own. */
export const missingMetricNames = (names: readonly string[], exposition: string): string[] => {
  const types = exposedTypes(exposition);
  return names.filter((name) => !isExposed(name, types));
};
