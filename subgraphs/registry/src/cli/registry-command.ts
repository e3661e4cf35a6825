/**
 * `npm run --silent registry -- <command>`: the operator's tool for the registry (list, show, approve, reject,
 * request-changes, suspend, resume, cancel access requests; deadline). Every command but `deadline` calls the
 * registry's internal HTTP API at REGISTRY_URL with REGISTRY_INTERNAL_TOKEN, acting as the provincial operator
 * (`--by` names the person, recorded in the request's history and the change log). `deadline` works offline, from
 * the working-day calendar (and REGISTRY_CALENDAR_FILE when set).
 *
 * Output: stdout carries the result (a table, or JSON with --json); stderr what a person reads (warnings, errors).
 * Exit codes: 0 done, 1 failed (the registry refused or could not be reached), 2 bad usage, configuration or input
 * (an invalid date: INVALID_DATE).
 */
import { ErrorCode, errorBody, LgspError } from '@lgsp/kit';
import { parseArgs } from 'node:util';
import { loadWorkingCalendar } from '../data/calendar/index.ts';
import { accessRequestMachine, ACCESS_REQUEST_STATES, type AccessRequestAction } from '../domain/onboarding/index.ts';
import { deadline, DEADLINES, parseIsoDateTime, type DeadlineKind } from '../domain/working-days/index.ts';
import { createRegistryClient, RegistryApiError, type AccessRequestView, type RegistryClient } from './registry-client.ts';

export const USAGE = `usage: npm run --silent registry -- <command> [options]

  list [--state <STATE>] [--json]     the access requests (all, or those in STATE), oldest first
  show <id> [--json]                  one access request with its history
  approve <id> --by <name>            approve as the operator (the provider approves in the API)
  reject <id> --by <name> --reason <text>
  request-changes <id> --by <name> --reason <text>
  suspend <id> --by <name> --reason <text>
  resume <id> --by <name>
  cancel <id> --by <name> --reason <text>
                                      take that step as the operator; prints the request after it
  deadline <ISO date-time> [--kind access-request|registration|update | --days <n>] [--json]
                                      when the answer to a request received then is due, in working days
                                      (access request 5: BG:14.3, DL:11.2; registration 7: DL:17.3; update 5: DL:17.5);
                                      a time without an offset is Asia/Ho_Chi_Minh; works offline

  --json        machine-readable output (errors too, in the platform's error shape)
  -h, --help    this text

Environment: REGISTRY_URL (the registry's base URL, e.g. http://registry:4105) and REGISTRY_INTERNAL_TOKEN for
every command but deadline; REGISTRY_CALENDAR_FILE (optional): days that extend or correct the shipped calendar.
Exit codes: 0 done, 1 failed (the registry refused or could not be reached), 2 bad usage or input.`;

/** A mistake in the command line, the environment or an argument: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The error code to report with --json. */
    readonly code: ErrorCode = ErrorCode.BAD_USER_INPUT,
  ) {
    super(message);
  }
}

/** The process around the command (so tests run it in-process). */
export interface CommandIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The operator steps the CLI offers, by command name. */
const STEPS: Record<string, AccessRequestAction> = {
  approve: 'APPROVE',
  reject: 'REJECT',
  'request-changes': 'REQUEST_CHANGES',
  suspend: 'SUSPEND',
  resume: 'RESUME',
  cancel: 'CANCEL',
};

const KINDS: Record<string, DeadlineKind> = { 'access-request': 'ACCESS_REQUEST', registration: 'REGISTRATION', update: 'UPDATE' };
const KIND_BASIS: Record<DeadlineKind, string> = {
  ACCESS_REQUEST: 'access request: BG:14.3, DL:11.2',
  REGISTRATION: 'registration: DL:17.3',
  UPDATE: 'update of a registration: DL:17.5',
};

type Command =
  | { name: 'help' }
  | { name: 'list'; state: string | undefined; json: boolean }
  | { name: 'show'; id: string; json: boolean }
  | { name: 'step'; id: string; action: AccessRequestAction; by: string; reason: string | undefined; json: boolean }
  | { name: 'deadline'; at: string; kind: DeadlineKind | null; days: number; json: boolean };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  state: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  kind: { type: 'string' },
  days: { type: 'string' },
} as const;
type Option = keyof typeof OPTIONS;

const OPTIONS_OF = (name: string): Option[] | undefined => {
  if (name === 'list') return ['state', 'json'];
  if (name === 'show') return ['json'];
  if (name === 'deadline') return ['kind', 'days', 'json'];
  if (name in STEPS) return ['by', 'reason', 'json'];
  return undefined;
};

/** The command line, checked; throws UsageError. */
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
  const allowed = OPTIONS_OF(name);
  if (allowed === undefined) throw new UsageError(`unknown command "${name}" (list, show, ${Object.keys(STEPS).join(', ')}, deadline)`);
  for (const option of Object.keys(values) as Option[])
    if (option !== 'help' && !allowed.includes(option)) throw new UsageError(`--${option} is not an option of ${name}`);
  const json = values.json === true;
  const argument = (what: string): string => {
    if (rest.length !== 1 || rest[0]!.trim() === '') throw new UsageError(`${name} takes one argument: ${what}`);
    return rest[0]!;
  };
  if (name === 'list') {
    if (rest.length > 0) throw new UsageError(`list takes no argument (got "${rest.join(' ')}"); filter with --state`);
    const state = values.state;
    if (state !== undefined && !(ACCESS_REQUEST_STATES as readonly string[]).includes(state))
      throw new UsageError(`--state ${state}: not a state (${ACCESS_REQUEST_STATES.join(', ')})`);
    return { name, state, json };
  }
  if (name === 'show') return { name, id: argument('the access request id'), json };
  if (name === 'deadline') {
    const at = argument('the date-time the request was received (ISO 8601)');
    if (values.kind !== undefined && values.days !== undefined) throw new UsageError('give --kind or --days, not both');
    if (values.days !== undefined) {
      const days = Number(values.days);
      if (!/^\d+$/.test(values.days) || days < 1 || days > 365) throw new UsageError(`--days ${values.days}: a whole number of working days, 1 to 365`);
      return { name, at, kind: null, days, json };
    }
    const kind = KINDS[values.kind ?? 'access-request'];
    if (kind === undefined) throw new UsageError(`--kind ${values.kind}: one of ${Object.keys(KINDS).join(', ')}`);
    return { name, at, kind, days: DEADLINES[kind], json };
  }
  const action = STEPS[name]!;
  const id = argument('the access request id');
  const by = values.by?.trim() ?? '';
  // The registry's rule for `by` (an operator's username), checked here so a typo costs no call.
  if (!/^[A-Za-z0-9._@-]{1,100}$/.test(by))
    throw new UsageError(`${name} needs --by <username>: who takes the step (1 to 100 of A-Z a-z 0-9 . _ @ -, kept in the history)`);
  const reason = values.reason?.trim();
  if (accessRequestMachine.reasonRequired.includes(action) && (reason === undefined || reason === ''))
    throw new UsageError(`${name} needs --reason <text>: the consumer is told why`);
  return { name: 'step', id, action, by, reason: reason === '' ? undefined : reason, json };
}

/** The registry client from REGISTRY_URL and REGISTRY_INTERNAL_TOKEN; UsageError naming what is missing. */
export function registryClientFromEnv(env: Record<string, string | undefined>): RegistryClient {
  const baseUrl = env.REGISTRY_URL?.trim() ?? '';
  const token = env.REGISTRY_INTERNAL_TOKEN?.trim() ?? '';
  if (baseUrl === '') throw new UsageError('REGISTRY_URL is not set: the base URL of the registry service (e.g. http://registry:4105)');
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`REGISTRY_URL is not an http(s) URL: ${baseUrl}`);
  }
  if (token === '') throw new UsageError('REGISTRY_INTERNAL_TOKEN is not set: the registry refuses its internal API without it');
  return createRegistryClient({ baseUrl, token });
}

const WEEKDAYS = [
  '',
  'Monday (thứ Hai)',
  'Tuesday (thứ Ba)',
  'Wednesday (thứ Tư)',
  'Thursday (thứ Năm)',
  'Friday (thứ Sáu)',
  'Saturday (thứ Bảy)',
  'Sunday (Chủ nhật)',
];
const weekdayOf = (date: string) => WEEKDAYS[((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1];

/** The first string among `names` of a record (registries name the same thing slightly differently). */
function pick(record: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    const value = name.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), record);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return '-';
}

/** The access requests as a table a person reads. */
export function formatAccessRequests(items: AccessRequestView[]): string {
  const rows = items.map((r) => [
    r.id,
    r.state,
    pick(r, 'consumerAgencyCode', 'consumer.agencyCode', 'consumerAgency'),
    pick(r, 'providerAgencyCode', 'provider.agencyCode', 'providerAgency'),
    pick(r, 'serviceCode', 'service.code', 'serviceVersionId', 'serviceVersion'),
    pick(r, 'dueAt', 'clock.dueAt'),
    pick(r, 'overdue', 'clock.overdue') === 'true' ? 'OVERDUE' : '',
  ]);
  const header = ['ID', 'STATE', 'CONSUMER', 'PROVIDER', 'SERVICE', 'DUE', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Runs one command; answers the exit code. */
export async function runRegistryCommand(argv: string[], io: CommandIo, client?: RegistryClient): Promise<number> {
  const json = argv.includes('--json');
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (code: string, message: string, exitCode: number) => {
    io.stderr.write(`${code}: ${message}\n`);
    if (json) out(JSON.stringify(errorBody(code as ErrorCode, message)));
    return exitCode;
  };
  try {
    const command = parseCommand(argv);
    if (command.name === 'help') {
      out(USAGE);
      return 0;
    }
    if (command.name === 'deadline') {
      const receivedAt = parseIsoDateTime(command.at);
      const calendar = await loadWorkingCalendar(io.env.REGISTRY_CALENDAR_FILE);
      const result = deadline(receivedAt, command.days, calendar);
      if (!result.calendarCovers)
        io.stderr.write(
          `warning: the calendar resolves holidays for ${calendar.years[0]}–${calendar.years[1]} only; outside them only weekends are counted (extend it with REGISTRY_CALENDAR_FILE)\n`,
        );
      const basis = command.kind === null ? 'as given' : KIND_BASIS[command.kind];
      if (command.json)
        out(
          JSON.stringify({
            receivedAt: result.receivedAt.toISOString(),
            receivedOn: result.receivedOn,
            countsFrom: result.countsFrom,
            kind: command.kind,
            workingDays: result.workingDays,
            dueDay: result.dueDay,
            dueAt: result.dueAt.toISOString(),
            timeZone: calendar.timeZone,
            calendarCovers: result.calendarCovers,
          }),
        );
      else {
        out(`due ${result.dueDay}, ${weekdayOf(result.dueDay)}, at the end of the day in ${calendar.timeZone} (${result.dueAt.toISOString()})`);
        out(
          `received ${result.receivedAt.toISOString()}, counted as received on ${result.receivedOn}; ${result.workingDays} working days (${basis}) from ${result.countsFrom}`,
        );
      }
      return 0;
    }
    const registry = client ?? registryClientFromEnv(io.env);
    if (command.name === 'list') {
      const items = await registry.listAccessRequests(command.state);
      out(command.json ? JSON.stringify(items) : items.length === 0 ? 'no access requests' : formatAccessRequests(items));
      return 0;
    }
    if (command.name === 'show') {
      const request = await registry.getAccessRequest(command.id);
      out(command.json ? JSON.stringify(request) : JSON.stringify(request, null, 2));
      return 0;
    }
    const before = command.json ? undefined : await registry.getAccessRequest(command.id).catch(() => undefined);
    const after = await registry.act(command.id, {
      action: command.action,
      by: command.by,
      ...(command.reason === undefined ? {} : { reason: command.reason }),
    });
    out(command.json ? JSON.stringify(after) : `access request ${after.id}: ${before?.state ?? '?'} → ${after.state} (${command.action} by ${command.by})`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      if (!json) io.stderr.write(`${USAGE}\n\n`);
      return fail(error.code, error.message, 2);
    }
    if (error instanceof LgspError)
      return fail(error.code, error.message, error.code === ErrorCode.INVALID_DATE || error.code === ErrorCode.BAD_USER_INPUT ? 2 : 1);
    if (error instanceof RegistryApiError)
      return fail(error.code ?? (error.status === null ? 'UPSTREAM_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR'), error.message, 1);
    throw error;
  }
}
