/**
 * Where the platform `npm start` runs, for the commands a developer types next to it (`npm run token`, `npm run
 * subscribe`) in another terminal, which does not have `npm start`'s environment: `npm start` records its
 * identity provider and gateway in a file of this checkout (in the temporary directory, so nothing lands in the
 * working tree) and removes it when it stops. A file left by a process that is gone is ignored.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './platform.ts';

export interface RunningPlatformRecord {
  /** The `npm start` process. */
  pid: number;
  /** Realm URL of the identity provider (…/realms/lgsp). */
  issuer: string;
  /** graphql-ws URL of the gateway (ws://…/graphql). */
  gatewayWs: string;
  /** GraphQL over HTTP URL of the gateway (http://…/graphql). */
  gateway: string;
  /**
   * The registry's internal API, for `npm run registry` and `npm run grants`: its origin and the bearer secret made for
   * this start (development only; the file is the user's own, mode 0600, and removed when npm start stops).
   */
  registry?: { url: string; token: string };
  /** Monitoring's internal API, for `npm run audit` and `npm run report` without Redis (the audit log is in that process). */
  monitoring?: { url: string; token: string };
}

/** One file per user and checkout: two checkouts (or two users) may each run `npm start`. */
export function runningPlatformFile(): string {
  const checkout = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return join(tmpdir(), `lgsp-npm-start-${userInfo().uid}-${checkout}.json`);
}

export function recordRunningPlatform(record: RunningPlatformRecord): void {
  writeFileSync(runningPlatformFile(), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the record, unless another `npm start` of this checkout has written its own since. */
export function forgetRunningPlatform(pid: number): void {
  if (readRecord()?.pid === pid) rmSync(runningPlatformFile(), { force: true });
}

/** The platform `npm start` runs now in this checkout, if any. */
export function runningPlatform(): RunningPlatformRecord | undefined {
  const record = readRecord();
  if (record === undefined) return undefined;
  try {
    process.kill(record.pid, 0);
    return record;
  } catch (error) {
    // EPERM: alive, but another user's (cannot happen with the uid in the name, but is not "gone").
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? record : undefined;
  }
}

function readRecord(): RunningPlatformRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(runningPlatformFile(), 'utf8')) as Partial<RunningPlatformRecord>;
    const complete = typeof record.pid === 'number' && [record.issuer, record.gateway, record.gatewayWs].every((u) => typeof u === 'string');
    return complete ? (record as RunningPlatformRecord) : undefined;
  } catch {
    return undefined;
  }
}
