/**
 * `npm run --silent report -- <period> [--agency <code>] [--format pdf|xlsx|csv] [--out <file>]`: the monthly,
 * quarterly or annual report (báo cáo tình hình khai thác, chia sẻ dữ liệu), per agency or province-wide, as PDF,
 * XLSX or CSV. `--help` prints the usage; the logic is in subgraphs/monitoring/src/reports/cli.ts.
 *
 * The audit log: REDIS_URL (+ REDIS_KEY_PREFIX), else MONITORING_URL + MONITORING_INTERNAL_TOKEN, else — next to
 * `npm start`, in another terminal — the monitoring it runs (`running.monitoring` of scripts/running-platform.ts).
 *
 *   npm run --silent report -- 2026-11
 *   npm run --silent report -- 2026-Q4 --agency 000.00.04.H41 --format xlsx --out q4.xlsx
 *   REDIS_URL=redis://:secret@redis:6379 npm run --silent report -- 2026 --format csv --out - > 2026.csv
 */
import { runReportCommand } from '../subgraphs/monitoring/src/reports/cli.ts';
import { runningPlatform } from './running-platform.ts';

// `monitoring` is recorded by npm start once it runs the monitoring service (url and internal token, like `registry`).
const running = runningPlatform() as (ReturnType<typeof runningPlatform> & { monitoring?: { url: string; token: string } }) | undefined;

process.exitCode = await runReportCommand(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, running });
