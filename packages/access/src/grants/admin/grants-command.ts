/**
 * `npm run --silent grants -- <command>`: the operator's tool for the grants of a running deployment (list, show,
 * put, revoke), working on the Redis grant store the gateway replicas share. Changes go through the store's
 * `putAll`/`removeIfVersion`, which publish on the grants channel, so every replica drops its cached decisions at
 * once. Both are conditional on the store's version, read before anything else: if another operator (or a gateway
 * seeding from GRANTS_FILE) changed the grants meanwhile, nothing is written, so a change record's `before` is what
 * was replaced and no other change is overwritten unseen. A put writes all its grants or none.
 *
 * Who: `--by <name>` is required for a change (the record names a person or a ticket; in a container every
 * operator is the same OS user); the OS user and host are recorded next to it.
 * Record: every change is appended to the platform's change log (`<prefix>registry:changes`, entity `grant`, actor
 * `{ kind: 'operator', username: <--by> }`), as the registry records its own changes (issue 16, must have 3).
 * Output: stdout carries the result: the table or JSON of `list`/`show`; for `put`/`revoke`, one JSON log line per
 * change in the platform's log shape (createLogger), the record to keep, naming the change log record (`changeId`).
 * stderr carries what a person reads: what changed, warnings, errors. Exit codes: 0 done, 1 failed, 2 bad usage or
 * configuration.
 */
import { auditConfigSchema, startAuditWriter, type StartedAuditWriter } from '@lgsp/audit';
import { connectRedis, createLogger, redactUrl, type Logger, type RedisClient } from '@lgsp/kit';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { auditedChangeLog } from '../../changes/audited-change-log.ts';
import type { ChangeLog } from '../../changes/change-log.ts';
import { createHttpChangeLog } from '../../changes/http-change-log.ts';
import { createRedisChangeLog } from '../../changes/redis-change-log.ts';
import { createHttpGrantStore } from '../http-grant-store.ts';
import { grantSchema, type Grant } from '../grant.ts';
import { UnreadableGrantError, type GrantStore } from '../grant-store.ts';
import { createRedisGrantStore, type RedisGrantStoreOptions } from '../redis-grant-store.ts';
import { compareGrant, describeChange, summary, type GrantChange } from './grant-change.ts';
import { parseGrantsInput, type SupergraphFieldSets } from './grant-input.ts';
import { formatGrantsTable, grantStatus } from './grants-table.ts';

export const USAGE = `usage: npm run --silent grants -- <command> [options]

  list [--consumer <agency>] [--provider <agency>] [--json]
                      the grants as a table (STATUS marks those NOT YET VALID or EXPIRED; ENVIRONMENT production
                      or test; QUOTA requests/seconds) or as JSON;
                      --consumer: the grants that apply to that agency, grants to every agency (*) included
  show <id>           one grant as JSON (what put accepts)
  put <file.json|->   create or replace one grant or an array of grants, all or none (- reads stdin), checked as
                      the gateway checks grants; each field set must be a @policy of the supergraph (SUPERGRAPH_FILE)
  revoke <id>         delete a grant

  --by <name>         who makes the change: required by put and revoke (recorded with the OS user and host)
  --dry-run           put, revoke: check and show what would change; write nothing
  -h, --help          this text

Environment, read as the gateway reads it: REDIS_URL (the Redis the gateways share), REDIS_KEY_PREFIX
(default lgsp:), SUPERGRAPH_FILE (default schema/supergraph.graphql). Without Redis (npm start), the grants are
held by the registry: REGISTRY_INTERNAL_URL and REGISTRY_INTERNAL_TOKEN, as the gateway is given them.
Changes reach every gateway replica at once. Every change is recorded in the platform's change log (the stream
<REDIS_KEY_PREFIX>registry:changes), and put and revoke write one JSON line per change to stdout (who, grant id,
before and after, changeId: keep it); what changed, for a person, goes to stderr.
Exit codes: 0 done, 1 failed, 2 bad usage or configuration.`;

/** A mistake in the command line or the environment: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Where relative file names are resolved: the operator's directory (`npm run` moves to the repository root). */
  cwd: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Command =
  | { name: 'help' }
  | { name: 'list'; consumer: string | undefined; provider: string | undefined; json: boolean }
  | { name: 'show'; id: string }
  | { name: 'put'; input: string; dryRun: boolean; by: string | undefined }
  | { name: 'revoke'; id: string; dryRun: boolean; by: string | undefined };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  consumer: { type: 'string' },
  provider: { type: 'string' },
  by: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

const OPTIONS_OF: Record<string, Array<keyof typeof OPTIONS>> = {
  list: ['consumer', 'provider', 'json'],
  show: [],
  put: ['by', 'dry-run'],
  revoke: ['by', 'dry-run'],
};

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { name: 'help' };
  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError('no command given');
  const allowed = OPTIONS_OF[name];
  if (allowed === undefined) throw new UsageError(`unknown command "${name}" (list, show, put, revoke)`);
  for (const option of Object.keys(values) as Array<keyof typeof OPTIONS>) {
    if (option !== 'help' && !allowed.includes(option)) throw new UsageError(`--${option} is not an option of ${name}`);
  }
  const argument = (what: string): string => {
    if (rest.length !== 1 || rest[0] === '') throw new UsageError(`${name} takes one argument: ${what}`);
    return rest[0]!;
  };
  const dryRun = values['dry-run'] === true;
  switch (name) {
    case 'list':
      if (rest.length > 0) throw new UsageError(`list takes no argument (got "${rest.join(' ')}"); filter with --consumer or --provider`);
      return { name, consumer: agencyOption('consumer', values.consumer), provider: agencyOption('provider', values.provider), json: values.json === true };
    case 'show':
      return { name, id: argument('the grant id') };
    case 'put':
      return { name, input: argument('a JSON file, or - for stdin'), dryRun, by: byOption(name, values.by, dryRun) };
    default:
      return { name: 'revoke', id: argument('the grant id'), dryRun, by: byOption(name, values.by, dryRun) };
  }
}

/** An agency filter, checked with the grant schema's own rule (and message). */
function agencyOption(option: 'consumer' | 'provider', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const result = grantSchema.shape[option].safeParse(value);
  if (!result.success) throw new UsageError(`--${option} ${value}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  return value;
}

function byOption(command: string, value: string | undefined, dryRun: boolean): string | undefined {
  if (value === undefined) {
    if (dryRun) return undefined;
    throw new UsageError(`${command} changes who may read what: say who you are with --by <name> (kept in the change record)`);
  }
  const by = value.trim();
  if (by === '' || by.length > 200 || /\p{Cc}/u.test(by)) throw new UsageError('--by must be a name of 1 to 200 printable characters');
  return by;
}

/** Where the grants are: the Redis the gateways share, or (without Redis: `npm start`) the registry holding them. */
export interface GrantsAdminConfig {
  /** REDIS_URL; when absent, `registry` says where the grants are. */
  redisUrl?: string | undefined;
  redisKeyPrefix: string;
  /** Without Redis: the registry's access API (REGISTRY_INTERNAL_URL, REGISTRY_INTERNAL_TOKEN). */
  registry?: { baseUrl: string; token: string } | undefined;
  /** Absolute path of the supergraph whose `@policy` names are the field sets. */
  supergraphFile: string;
}

/** How the command gets its store on the connection it opened: the Redis grant store (a test may wrap it). */
export type OpenGrantStore = (redis: RedisClient, options: RedisGrantStoreOptions) => GrantStore;

/** What the command needs from the service whose grants it changes (the gateway: gateway/src/authorization/grants-admin/). */
export interface GrantsCommandDeps {
  /**
   * Reads REDIS_URL, REDIS_KEY_PREFIX and SUPERGRAPH_FILE as the gateway does; throws UsageError naming a bad or
   * missing variable.
   */
  config(env: Record<string, string | undefined>): GrantsAdminConfig;
  /** The services and `@policy` names of the supergraph: what a grant may name. */
  readFieldSets(config: GrantsAdminConfig): Promise<SupergraphFieldSets>;
  /** Default: the Redis grant store (a test may wrap it). */
  openStore?: OpenGrantStore;
}

/** Runs one command; returns the exit code. */
export async function runGrantsCommand(argv: string[], io: CommandIo, deps: GrantsCommandDeps): Promise<number> {
  const openStore = deps.openStore ?? createRedisGrantStore;
  const say = (text: string) => io.stderr.write(`${text}\n`);
  let redis: RedisClient | undefined;
  let store: GrantStore | undefined;
  let audit: StartedAuditWriter | undefined;
  try {
    const command = parseCommand(argv);
    if (command.name === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const config = deps.config(io.env);
    // Checked before connecting: a bad file needs no Redis, and nothing is written unless every grant passes.
    const grants = command.name === 'put' ? await readGrants(command.input, io, await deps.readFieldSets(config)) : [];
    // A stored grant that no longer reads as one grants nothing; the operator is told which, once each.
    const unreadable = new Set<string>();
    const onUnreadable = (id: string, error: Error) => {
      if (unreadable.has(id)) return;
      unreadable.add(id);
      say(`warning: grant ${id} in the store cannot be read (${error.message}); it grants nothing: revoke it, then put it again`);
    };
    let changes: ChangeLog;
    if (config.redisUrl !== undefined) {
      redis = await connect(config.redisUrl);
      store = openStore(redis, { keyPrefix: config.redisKeyPrefix, onUnreadable });
      changes = createRedisChangeLog(redis, { keyPrefix: config.redisKeyPrefix });
      if (command.name === 'put' || command.name === 'revoke') {
        // Issue 17: each change is also an audit record, in the audit stream next to the change log (over HTTP the
        // registry, which takes the change log record, writes it).
        audit = startAuditWriterFor(io.env, redis, config.redisKeyPrefix, io.stderr);
        changes = auditedChangeLog(changes, audit.writer, { source: 'grants' });
      }
    } else if (config.registry !== undefined) {
      store = createHttpGrantStore(config.registry);
      changes = createHttpChangeLog(config.registry);
    } else throw new UsageError('neither REDIS_URL nor REGISTRY_INTERNAL_URL is set: nowhere to find the grants');
    const context: ChangeContext = { store, changes, config, say, record: changeRecorder(io, config) };
    if (command.name === 'list') await list(store, command, io, config);
    else if (command.name === 'show') io.stdout.write(`${JSON.stringify(await existing(store, command.id), null, 2)}\n`);
    else if (command.name === 'put') await put(context, grants, command);
    else await revoke(context, command);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      say(`grants: ${error.message}\n\nnpm run --silent grants -- --help prints the usage.`);
      return 2;
    }
    say(`grants: ${(error as Error).message}`);
    return 1;
  } finally {
    // Every audit record queued is written before the connection goes.
    await audit?.close().catch((error: unknown) => say(`grants: audit records could not be written (${(error as Error).message})`));
    await store?.close();
    await redis?.quit().catch(() => undefined);
  }
}

/** The audit writer of the command: the audit settings of the environment (AUDIT_SUBJECT_KEY_FILE, …), its own Redis connection. */
function startAuditWriterFor(
  env: Record<string, string | undefined>,
  redis: RedisClient,
  keyPrefix: string,
  stderr: NodeJS.WritableStream,
): StartedAuditWriter {
  const parsed = auditConfigSchema.safeParse(env);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  // Only failures are worth a line here: the command's own output is the record of what it did.
  return startAuditWriter({ config: parsed.data, redis, keyPrefix, logger: createLogger('grants', 'error', stderr), source: 'grants' });
}

async function readGrants(input: string, io: CommandIo, fieldSets: SupergraphFieldSets): Promise<Grant[]> {
  const source = input === '-' ? 'stdin' : input;
  let text: string;
  try {
    text = input === '-' ? await readAll(io.stdin) : await readFile(resolve(io.cwd, input), 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${source} (${(error as Error).message}); nothing written`);
  }
  return parseGrantsInput(text, source, fieldSets);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function connect(redisUrl: string): Promise<RedisClient> {
  try {
    return await connectRedis(redisUrl, { name: 'lgsp-grants-admin' });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nThis tool has no in-memory store: REDIS_URL must be the Redis the gateways share, and it must be up.`);
  }
}

const where = (config: GrantsAdminConfig) =>
  config.redisUrl !== undefined
    ? `Redis ${redactUrl(config.redisUrl)}, prefix ${config.redisKeyPrefix}`
    : `the registry at ${redactUrl(config.registry!.baseUrl)}`;

async function existing(store: GrantStore, id: string): Promise<Grant> {
  const grant = await store.get(id);
  if (grant === null) throw new Error(notFound(id));
  return grant;
}

const notFound = (id: string) => `no grant with id "${id}" (npm run --silent grants -- list shows the ids)`;

async function list(store: GrantStore, command: Extract<Command, { name: 'list' }>, io: CommandIo, config: GrantsAdminConfig): Promise<void> {
  const selected = command.consumer === undefined ? await store.list() : await store.grantsFor(command.consumer);
  const grants = command.provider === undefined ? selected : selected.filter((g) => g.provider === command.provider);
  if (command.json) {
    io.stdout.write(`${JSON.stringify(grants, null, 2)}\n`);
    return;
  }
  const now = Date.now();
  const notInForce = grants.filter((g) => grantStatus(g, now) !== 'active').length;
  const filters = [command.consumer && `consumer ${command.consumer} (or *)`, command.provider && `provider ${command.provider}`].filter(Boolean).join(', ');
  const count = `${grants.length} grant${grants.length === 1 ? '' : 's'}${filters === '' ? '' : ` for ${filters}`} in ${where(config)}`;
  io.stdout.write(
    grants.length === 0 ? `no grants: ${count}\n` : `${formatGrantsTable(grants, now)}\n\n${count}${notInForce > 0 ? `; ${notInForce} not in force` : ''}\n`,
  );
}

interface ChangeContext {
  store: GrantStore;
  /** The platform's change log (`<prefix>registry:changes`): one record per change, as the registry writes its own. */
  changes: ChangeLog;
  config: GrantsAdminConfig;
  say(text: string): void;
  record: Logger;
}

/** The change record: JSON lines on stdout in the platform's log shape, whatever LOG_LEVEL says. */
function changeRecorder(io: CommandIo, config: GrantsAdminConfig): Logger {
  return createLogger('grants', 'info', io.stdout).child({
    store:
      config.redisUrl !== undefined
        ? { redis: redactUrl(config.redisUrl), keyPrefix: config.redisKeyPrefix }
        : { registry: redactUrl(config.registry!.baseUrl) },
    osUser: osUser(),
    host: hostname(),
  });
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

async function put(context: ChangeContext, grants: Grant[], command: Extract<Command, { name: 'put' }>): Promise<void> {
  const { store, say } = context;
  // Read first: the write below happens only if nothing changed since, so every `before` shown and recorded holds.
  const version = await store.version();
  // Only for the note below (a store holding only unreadable grants counts as empty here, as it does for seeding).
  const wasEmpty = !command.dryRun && (await store.list().catch(() => undefined))?.length === 0;
  const changes: Array<Exclude<GrantChange, { kind: 'unchanged' }>> = [];
  for (const grant of grants) {
    let change: GrantChange;
    try {
      change = compareGrant(await store.get(grant.id), grant);
    } catch (error) {
      if (error instanceof UnreadableGrantError) {
        throw new Error(`grant ${grant.id} in the store cannot be read (${error.message}): revoke it first, then put it again; nothing written`);
      }
      throw new Error(`cannot read grant ${grant.id} from the store (${(error as Error).message}); nothing written`);
    }
    say(describeChange(change, command.dryRun));
    if (change.kind !== 'unchanged') changes.push(change);
  }
  if (command.dryRun) {
    say('dry run: nothing written');
    return;
  }
  if (changes.length === 0) return;
  let written: boolean;
  try {
    written = await store.putAll(
      changes.map((change) => change.after),
      version,
    );
  } catch (error) {
    // Either all were written or none, but a lost answer cannot tell which: running the command again shows it.
    throw new Error(
      `write not confirmed (${(error as Error).message}): a put writes all its grants or none; run the command again, it shows them unchanged if they were written`,
    );
  }
  if (!written) throw new Error(changedMeanwhile('put', 'nothing written; run the command again to see the changes against the current grants'));
  const failed: string[] = [];
  for (const change of changes) {
    await recordChange(
      context,
      {
        event: `grant.${change.kind}`,
        action: 'put',
        grantId: change.after.id,
        by: command.by!,
        ...(change.kind === 'replaced' ? { changedFields: change.fields.map((f) => f.field), before: change.before } : { before: null }),
        after: change.after,
      },
      `grant ${change.kind}`,
      failed,
    );
  }
  changeLogFailures(failed);
  if (wasEmpty) say(`note: the grant store (${where(context.config)}) held no grants before; gateways no longer seed it from GRANTS_FILE when they start`);
}

const changedMeanwhile = (command: 'put' | 'revoke', outcome: string) =>
  `the grant store changed while this ${command} was being prepared (another operator or a gateway seeding it): ${outcome}`;

async function revoke(context: ChangeContext, command: Extract<Command, { name: 'revoke' }>): Promise<void> {
  const { store, say } = context;
  // Read first, as put does: the grant is removed only if nothing changed since, so the recorded `before` holds.
  const version = await store.version();
  let before: Grant | { unreadable: string } | null;
  try {
    before = await store.get(command.id);
  } catch (error) {
    // A grant written by hand that no longer parses must still be removable; a store that does not answer stops here.
    if (!(error instanceof UnreadableGrantError))
      throw new Error(`cannot read grant ${command.id} from the store (${(error as Error).message}); nothing revoked`);
    before = { unreadable: error.message };
  }
  if (before === null) throw new Error(`${notFound(command.id)}; nothing revoked`);
  const described = 'unreadable' in before ? `(unreadable: ${before.unreadable})` : summary(before);
  if (command.dryRun) {
    say(`would revoke ${command.id}: ${described}\ndry run: nothing written`);
    return;
  }
  const removal = await store.removeIfVersion(command.id, version);
  if (removal === 'stale') throw new Error(changedMeanwhile('revoke', 'nothing revoked; run the command again to see the grant as it is now'));
  if (removal === 'absent') throw new Error(`${notFound(command.id)}; nothing revoked`);
  const failed: string[] = [];
  await recordChange(context, { event: 'grant.revoked', action: 'revoke', grantId: command.id, by: command.by!, before, after: null }, 'grant revoked', failed);
  say(`revoked ${command.id}: ${described}`);
  const remaining = await store.list().catch(() => undefined);
  if (remaining?.length === 0) {
    say(`warning: the grant store (${where(context.config)}) is now empty: a gateway that starts with GRANTS_FILE set will seed it again from that file`);
  }
  changeLogFailures(failed);
}

/**
 * Records one change twice: in the platform's change log (entity `grant`, actor `{ kind: 'operator', username: --by }`,
 * as the registry records its own changes) and as the JSON line on stdout, which names the change log record
 * (`changeId`). The grants are written by then: a change log that fails is reported (exit 1) but does not undo them,
 * and the JSON line is still written.
 */
async function recordChange(
  context: ChangeContext,
  line: { event: string; action: 'put' | 'revoke'; grantId: string; by: string; before: unknown; after: unknown; changedFields?: string[] },
  message: string,
  failed: string[],
): Promise<void> {
  let changeId: string | undefined;
  try {
    const record = await context.changes.append({
      actor: { kind: 'operator', username: line.by },
      entity: 'grant',
      entityId: line.grantId,
      action: line.action,
      before: line.before,
      after: line.after,
    });
    changeId = record.id;
  } catch (error) {
    failed.push(`${line.grantId} (${(error as Error).message})`);
  }
  context.record.info({ ...line, ...(changeId === undefined ? {} : { changeId }) }, message);
}

function changeLogFailures(failed: string[]): void {
  if (failed.length === 0) return;
  throw new Error(
    `the change was made, but the change log did not take its record for ${failed.join(', ')}: keep the JSON lines printed on stdout, they are the record`,
  );
}
