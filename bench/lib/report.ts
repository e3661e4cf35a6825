/** Plain-text tables for the terminal. */
import type { ProfileSummary } from './profile.ts';
import type { ScenarioResult } from './scenario.ts';

function table(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const percent = (p: number | undefined) => (p === undefined ? '?' : `${p.toFixed(0)}%`);

export function printTable(result: ScenarioResult, log: (line: string) => void): void {
  log(result.title);
  log(`response: ${result.responseBytes} bytes, byte-identical across gateways: ${result.identicalResponses ? 'yes' : 'NO'}`);
  const header = ['gateway', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU gw/up', 'cores busy', 'bound by', 'upstream req/op', 'per upstream', 'ratio'];
  const rows = result.gateways.map((g) => [
    g.name,
    g.load.requestsPerSecond.toFixed(0),
    g.load.latencyP50Ms.toFixed(1),
    g.load.latencyP99Ms.toFixed(1),
    String(g.load.errors),
    `${percent(g.gatewayCpuPercent)}/${percent(g.upstreamCpuPercent)}`,
    g.coreBusyPercent === undefined ? '?' : Object.values(g.coreBusyPercent).map(percent).join('/'),
    g.boundBy ?? '?',
    `${g.upstreamRequestsPerOperationTotal} (load: ${g.upstreamRequestsPerOperationUnderLoad.toFixed(1)})`,
    Object.entries(g.upstreamRequestsPerOperation)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    (g.ratioToBaseline === undefined ? '' : `${g.ratioToBaseline.toFixed(2)}×`) + (g.contention === undefined ? '' : ' (contended!)'),
  ]);
  for (const line of table(header, rows, [false, true, true, true, true, true, true, true, false, false, true])) log(line);
  const flagged = result.gateways.filter((g) => g.nodeArgs.length > 0);
  if (flagged.length > 0) {
    log(`node flags: ${flagged.map((g) => `${g.name}: ${g.nodeArgs.join(' ')}`).join('; ')}; the other rows run with Node's defaults.`);
  }
  log(
    'CPU gw/up: CPU time used during the timed run, in % of one core, by the gateway process and by the upstream process; cores busy: each CPU as a whole (the load generator runs on the upstream CPU); bound by: gateway when its process used ≥ 90 % of its CPU, upstream when the upstream CPU was ≥ 95 % busy.',
  );
}

export function printProfile(title: string, p: ProfileSummary, log: (line: string) => void): void {
  log(`\nprofile ${title} (timed run only): busy ${p.busyMs.toFixed(0)} ms of ${p.totalMs.toFixed(0)} ms (${p.file})`);
  log('  self time by area:');
  for (const e of p.byArea) log(`    ${e.percent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}`);
  log('  top functions by self time:');
  for (const e of p.topFunctions) log(`    ${e.percent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}`);
}
