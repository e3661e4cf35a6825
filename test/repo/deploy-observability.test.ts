/**
 * The operators' kit in deploy/ follows the code: every metric the Prometheus alert rules (deploy/prometheus/
 * alerts.yml) and the Grafana dashboard (deploy/grafana/lgsp-dashboard.json) name is one a service defines, with the
 * labels they select on; Prometheus scrapes every service docker-compose.yml runs; each alert has its section in
 * docs/runbook.md; and Prometheus' own checker accepts the files and passes the rules' unit tests
 * (deploy/prometheus/alerts.test.yml). A rule on a metric nobody defines fails here, naming it.
 *
 * The metrics are collected from the sources as test/repo/metrics-docs.test.ts does (`new Counter({ name: 'lgsp_…'`),
 * with their type and label names, plus prom-client's default metrics as a service's registry really exposes them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createMetricsRegistry } from '@lgsp/kit';
import { repoRoot } from '../../scripts/platform.ts';

const SOURCE_ROOTS = ['gateway/src', 'subgraphs', 'packages', 'simulator/src'];

interface Metric {
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: Set<string>;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...(await sourceFiles(path)));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/** Labels every series carries besides the metric's own: the registry's default label, Prometheus' target labels. */
const TARGET_LABELS = ['service', 'job', 'instance'];

/** Every metric the code defines: name → type and label names. */
async function definedMetrics(): Promise<Map<string, Metric>> {
  const metrics = new Map<string, Metric>();
  const plainNames = new Set<string>();
  const definition = /new (Counter|Gauge|Histogram|Summary)(?:<[^>(]*>)?\(\s*\{\s*name:\s*'(lgsp_[a-z0-9_]+)'/g;
  for (const root of SOURCE_ROOTS) {
    for (const file of await sourceFiles(join(repoRoot, root))) {
      const source = await readFile(file, 'utf8');
      for (const match of source.matchAll(/name: '(lgsp_[a-z0-9_]+)'/g)) plainNames.add(match[1]!);
      for (const match of source.matchAll(definition)) {
        // The rest of the object literal: up to its closing `})` (label names are plain string arrays).
        const rest = source.slice(match.index + match[0].length);
        const body = rest.slice(0, rest.search(/\}\s*\)/));
        const labelNames = /labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? '';
        const labels = new Set([...labelNames.matchAll(/'([a-zA-Z_][a-zA-Z0-9_]*)'/g)].map((m) => m[1]!));
        const type = match[1]!.toLowerCase() as Metric['type'];
        const known = metrics.get(match[2]!);
        if (known !== undefined) labels.forEach((label) => known.labels.add(label));
        else metrics.set(match[2]!, { type, labels });
      }
    }
  }
  // Every `name: 'lgsp_…'` is a metric whose type and labels were read (or the scan above missed a way of defining one).
  assert.deepEqual(
    [...plainNames].filter((name) => !metrics.has(name)),
    [],
    'metrics named in the sources whose definition the scan cannot read',
  );
  assert.ok(metrics.size >= 30, `the scan finds the metrics (${metrics.size})`);
  // prom-client's default metrics, as every service's registry (createMetricsRegistry) exposes them.
  for (const metric of await createMetricsRegistry('deploy-test').getMetricsAsJSON()) {
    metrics.set(metric.name, {
      type: metric.type as unknown as Metric['type'],
      labels: new Set(['le', 'quantile', 'kind', 'type', 'space', 'version', 'major', 'minor', 'patch']),
    });
  }
  // Prometheus' own series per target.
  metrics.set('up', { type: 'gauge', labels: new Set() });
  return metrics;
}

/**
 * The metrics and labels a PromQL expression names, with what is wrong with them: metrics nobody defines, label
 * matchers and `by (…)` labels none of its metrics has.
 */
function problemsOf(expr: string, metrics: Map<string, Metric>): { referenced: string[]; problems: string[] } {
  const problems: string[] = [];
  const referenced: string[] = [];
  // Strings and templates out of the way; selectors kept.
  const text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const resolve = (name: string): [string, Metric] | undefined => {
    const exact = metrics.get(name);
    if (exact !== undefined) return [name, exact];
    const base = /^(.*)_(bucket|sum|count)$/.exec(name);
    const metric = base === null ? undefined : metrics.get(base[1]!);
    if (metric !== undefined && (metric.type === 'histogram' || metric.type === 'summary')) return [base![1]!, metric];
    return undefined;
  };
  const allLabels = new Set<string>(TARGET_LABELS);
  for (const match of text.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?/g)) {
    const name = match[1]!;
    const isMetric = /^(lgsp_|process_|nodejs_)/.test(name) || name === 'up';
    if (!isMetric) continue;
    referenced.push(name);
    const resolved = resolve(name);
    if (resolved === undefined) {
      problems.push(`${name}: no service defines this metric`);
      continue;
    }
    const [, metric] = resolved;
    metric.labels.forEach((label) => allLabels.add(label));
    if (/_bucket$/.test(name)) allLabels.add('le');
    for (const matcher of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) {
      const label = matcher[1]!;
      const ok = metric.labels.has(label) || TARGET_LABELS.includes(label) || (label === 'le' && /_bucket$/.test(name));
      if (!ok) problems.push(`${name}{${label}…}: ${name} has no label ${label}`);
    }
  }
  for (const clause of text.matchAll(/\b(by|without)\s*\(([^)]*)\)/g)) {
    for (const label of clause[2]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (!allLabels.has(label)) problems.push(`${clause[1]} (${label}): none of the metrics of this expression has it`);
    }
  }
  if (referenced.length === 0) problems.push('names no metric');
  return { referenced, problems };
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

async function alertRules(): Promise<Rule[]> {
  const file = parse(await readFile(join(repoRoot, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

/** promtool, or a failure that says what to install (never a silent skip). */
function promtool(): string {
  const candidate = process.env.PROMTOOL_BIN ?? 'promtool';
  if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error("promtool is needed to check deploy/prometheus: apt-get install prometheus (Debian's package ships promtool), or set PROMTOOL_BIN");
  }
  return candidate;
}

describe('the Prometheus alert rules and the Grafana dashboard name metrics the code defines', () => {
  it('the checker itself refuses a metric nobody defines, a label a metric lacks and a `by` on nothing', async () => {
    const metrics = await definedMetrics();
    assert.deepEqual(problemsOf('rate(lgsp_gateway_operations_total{outcome="error"}[5m])', metrics).problems, []);
    assert.deepEqual(problemsOf('histogram_quantile(0.99, sum by (le) (rate(lgsp_gateway_operation_duration_seconds_bucket[5m])))', metrics).problems, []);
    assert.match(problemsOf('lgsp_nobody_defines_this_total > 0', metrics).problems.join(), /lgsp_nobody_defines_this_total: no service defines/);
    assert.match(problemsOf('lgsp_gateway_operations_total{agency="x"}', metrics).problems.join(), /has no label agency/);
    assert.match(problemsOf('sum by (agency) (lgsp_gateway_operations_total)', metrics).problems.join(), /by \(agency\)/);
    assert.match(problemsOf('lgsp_gateway_operations_total_bucket', metrics).problems.join(), /no service defines/, 'a counter has no buckets');
    assert.match(problemsOf('vector(1)', metrics).problems.join(), /names no metric/);
  });

  it('every alert rule names defined metrics and labels, has a severity, a summary, a description and its runbook section', async () => {
    const metrics = await definedMetrics();
    const runbook = await readFile(join(repoRoot, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const rules = await alertRules();
    assert.ok(rules.length >= 15, `${rules.length} rules`);
    const problems: string[] = [];
    for (const rule of rules) {
      for (const problem of problemsOf(rule.expr, metrics).problems) problems.push(`${rule.alert}: ${problem}`);
      if (!['critical', 'warning'].includes(rule.labels?.severity ?? '')) problems.push(`${rule.alert}: severity critical or warning`);
      for (const key of ['summary', 'description', 'runbook']) if (!rule.annotations?.[key]) problems.push(`${rule.alert}: annotation ${key}`);
      const anchor = /^docs\/runbook\.md#(.+)$/.exec(rule.annotations?.runbook ?? '')?.[1];
      if (anchor !== rule.alert.toLowerCase() || !anchors.has(anchor))
        problems.push(`${rule.alert}: runbook docs/runbook.md#${rule.alert.toLowerCase()} (a "### ${rule.alert}" section)`);
    }
    assert.deepEqual(problems, []);
    assert.equal(new Set(rules.map((r) => r.alert)).size, rules.length, 'alert names are unique');
  });

  it('the alerts cover what the operators must hear of', async () => {
    const rules = await alertRules();
    const byMetric = (name: string) => rules.filter((rule) => rule.expr.includes(name)).map((rule) => rule.alert);
    assert.ok(
      rules.some((r) => /up\{job="gateway"\}/.test(r.expr) && r.labels?.severity === 'critical'),
      'gateway down',
    );
    assert.ok(byMetric('lgsp_gateway_operations_total').length > 0, 'error ratio');
    assert.ok(
      rules.some((r) => /histogram_quantile\(0\.99,.*lgsp_gateway_operation_duration_seconds_bucket/s.test(r.expr)),
      'latency p99',
    );
    assert.ok(
      rules.some((r) => /up\{job=~"[^"]*relay[^"]*"\}/.test(r.expr)),
      'subgraph unavailable',
    );
    assert.ok(byMetric('lgsp_gateway_ws_limit_store_failures_total').includes('RedisUnreachable'), 'Redis unreachable');
    assert.ok(
      rules.some((r) => /lgsp_monitoring_system_up\) == 0/.test(r.expr) && r.for !== undefined),
      'a connected system offline for some minutes',
    );
    for (const metric of [
      'lgsp_audit_entries_queued',
      'lgsp_audit_append_failures_total',
      'lgsp_audit_queue_over_limit_total',
      'lgsp_registry_overdue',
      'lgsp_relay_undeliverable_total',
    ]) {
      assert.ok(byMetric(metric).length > 0, `an alert on ${metric}`);
    }
  });

  it('the Grafana dashboard has the panels of each topic, every query on defined metrics and labels', async () => {
    const metrics = await definedMetrics();
    const dashboard = JSON.parse(await readFile(join(repoRoot, 'deploy/grafana/lgsp-dashboard.json'), 'utf8')) as {
      uid: string;
      templating: { list: Array<{ name: string; type: string }> };
      panels: Array<{ id: number; type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    };
    assert.equal(dashboard.uid, 'lgsp-platform');
    assert.ok(
      dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'),
      'the Prometheus data source is chosen on import',
    );
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    for (const topic of ['Traffic', 'Errors', 'Latency', 'Quotas', 'Subscriptions', 'Relay', 'Audit', 'Health']) {
      assert.ok(
        rows.some((title) => title.startsWith(topic)),
        `a row for ${topic} (${rows.join(', ')})`,
      );
    }
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique');
    const problems: string[] = [];
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      if (panel.datasource?.uid !== '${datasource}') problems.push(`${panel.title}: data source \${datasource}`);
      if ((panel.targets ?? []).length === 0) problems.push(`${panel.title}: no query`);
      for (const target of panel.targets ?? []) for (const problem of problemsOf(target.expr, metrics).problems) problems.push(`${panel.title}: ${problem}`);
    }
    assert.deepEqual(problems, []);
  });

  it('Prometheus scrapes every service docker-compose.yml runs, on its port, and loads the alert rules', async () => {
    const config = parse(await readFile(join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    assert.deepEqual(config.rule_files, ['alerts.yml']);
    const targets = new Map(config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]));
    const compose = parse(await readFile(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string>; profiles?: string[] }>;
    };
    for (const [name, service] of Object.entries(compose.services)) {
      const port = service.environment?.PORT;
      if (port === undefined || service.profiles?.includes('simulator')) continue;
      const job = name.replace(/-\d+$/, '');
      assert.ok(targets.get(job)?.includes(`${name}:${port}`), `prometheus.yml: job ${job} scrapes ${name}:${port}`);
    }
    // The jobs the alerts select exist.
    for (const rule of await alertRules()) {
      for (const match of rule.expr.matchAll(/job=~?"([^"]+)"/g)) {
        for (const job of match[1]!.split('|')) assert.ok(targets.has(job), `${rule.alert}: job ${job} is in prometheus.yml`);
      }
    }
  });

  it("promtool accepts the configuration and the rules, and the rules' unit tests pass", () => {
    const tool = promtool();
    const dir = join(repoRoot, 'deploy/prometheus');
    for (const args of [
      ['check', 'config', 'prometheus.yml'],
      ['check', 'rules', 'alerts.yml'],
      ['test', 'rules', 'alerts.test.yml'],
    ]) {
      const result = spawnSync(tool, args, { cwd: dir, encoding: 'utf8' });
      assert.equal(result.status, 0, `promtool ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
    }
  });
});
