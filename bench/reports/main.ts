/** `npx tsx bench/reports/main.ts`: the report bench alone (scenario.ts); see bench/README.md for the other parts. */
import { printReportBench, runReportBench } from './scenario.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
printReportBench(await runReportBench(log), log);
