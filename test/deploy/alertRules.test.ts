// deploy/prometheus/alerts.yml: six rules, valid for promtool, and its unit tests prove each fires on its condition only.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ensurePrometheusInstalled } from '../support/prometheus/startPrometheus';
import { alertRules, metricNamesIn, PROMETHEUS_CONFIG_FILE, readRules, RULE_TESTS_FILE, RULES_FILE, type AlertRule } from './deployFiles';

const { promtool } = ensurePrometheusInstalled();

const promtoolRun = (args: readonly string[]): { status: number | null; output: string } => {
  const result = spawnSync(promtool, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

/** The one metric each condition is read from. */
const CONDITIONS: ReadonlyArray<[alert: string, metric: string]> = [
  ['GatewayHigh5xxRatio', 'gateway_http_request_duration_seconds_count'],
  ['GatewayUpstreamLatencyHigh', 'gateway_upstream_request_duration_seconds_bucket'],
  ['GatewayUpstreamCircuitOpen', 'gateway_upstream_circuit_state'],
  ['GatewayRedisDown', 'gateway_redis_up'],
  ['GatewayIamFetchFailures', 'gateway_iam_fetches_total'],
  ['GatewayIamTokenRefreshFailing', 'gateway_iam_refresh_failures_total'],
];

interface RuleTests {
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

/** Runs the shipped unit tests against alerts.yml with one rule changed. */
const unitTestsWith = (alert: string, change: (rule: AlertRule) => void): { status: number | null; output: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-rules-'));
  try {
    const rules = readRules();
    const rule = alertRules(rules).find((candidate) => candidate.alert === alert) as AlertRule;
    change(rule);
    writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
    copyFileSync(RULE_TESTS_FILE, join(dir, 'alerts.test.yml'));
    return promtoolRun(['test', 'rules', join(dir, 'alerts.test.yml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('deploy/prometheus/alerts.yml', () => {
  it('holds exactly six alerts, one per condition, each read from its metric', () => {
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert)).toEqual(CONDITIONS.map(([alert]) => alert));
    for (const [alert, metric] of CONDITIONS) {
      expect({ alert, metrics: metricNamesIn([(rules.find((rule) => rule.alert === alert) as AlertRule).expr]) }).toEqual({ alert, metrics: [metric] });
    }
  });

  it('gives every alert a for, a severity, a summary, a description and a runbook_url at its anchor in docs/operations.md', () => {
    for (const rule of alertRules()) {
      expect({ alert: rule.alert, for: rule.for }).toEqual({ alert: rule.alert, for: expect.stringMatching(/^\d+[smh]$/) });
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations).toEqual({
        summary: expect.stringMatching(/\S/),
        description: expect.stringMatching(/\S/),
        runbook_url: `docs/operations.md#alert-${rule.alert.toLowerCase()}`,
      });
    }
  });

  it("has each alert's runbook line in docs/operations.md, at the anchor its runbook_url names", () => {
    const runbook = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
    for (const rule of alertRules()) {
      const anchor = `alert-${rule.alert.toLowerCase()}`;
      expect({ alert: rule.alert, line: new RegExp(`<a id="${anchor}"></a>\\*\\*${rule.alert}\\*\\*`).test(runbook) }).toEqual({ alert: rule.alert, line: true });
    }
  });

  it('passes promtool check rules', () => {
    const { status, output } = promtoolRun(['check', 'rules', RULES_FILE]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 6 rules found') });
  });

  it('is loaded by the example prometheus.yml, which passes promtool check config', () => {
    const { status, output } = promtoolRun(['check', 'config', PROMETHEUS_CONFIG_FILE]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 6 rules found') });
  });

  it('passes its promtool unit tests, which expect every alert to fire in one case and to stay silent in another', () => {
    const tests = (parse(readFileSync(RULE_TESTS_FILE, 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const [alert] of CONDITIONS) {
      const ofAlert = tests.filter((test) => test.alertname === alert);
      expect({ alert, fires: ofAlert.some((test) => (test.exp_alerts ?? []).length > 0), silent: ofAlert.some((test) => (test.exp_alerts ?? []).length === 0) }).toEqual({ alert, fires: true, silent: true });
    }
    const { status, output } = promtoolRun(['test', 'rules', RULE_TESTS_FILE]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it.each(CONDITIONS.map(([alert]) => alert))('its unit tests fail when %s never fires', (alert) => {
    const { status, output } = unitTestsWith(alert, (rule) => {
      rule.expr = 'vector(1) < 0';
    });
    expect(status).not.toBe(0);
    expect(output).toContain(`alertname: ${alert}`);
  });

  it.each(CONDITIONS.map(([alert]) => alert))('its unit tests fail when %s fires without waiting for its for', (alert) => {
    const { status, output } = unitTestsWith(alert, (rule) => {
      delete rule.for;
    });
    expect(status).not.toBe(0);
    expect(output).toContain(`alertname: ${alert}`);
  });
});
