import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import express from 'express';
import { ErrorCode, errorBody, httpStatusFor, requireSharedSecret } from '@lgsp/kit';
import { freePortForTest } from '@lgsp/kit/testing';
import { isIllegal, nextState, type AccessRequestAction, type AccessRequestState } from '../domain/onboarding/index.ts';
import { runRegistryCommand } from './registry-command.ts';

const TOKEN = 'registry-cli-test-token';

/**
 * A registry's internal API for the CLI's endpoints, on a real HTTP server: access requests in memory, steps through
 * the real onboarding machine acting as the operator, errors in the platform's shape.
 */
interface Stored {
  id: string;
  state: AccessRequestState;
  consumerAgencyCode: string;
  providerAgencyCode: string;
  serviceCode: string;
  dueAt: string | null;
  overdue: boolean;
  history: Array<{ action: string; by: string; reason?: string; from: string; to: string }>;
}
const requests = new Map<string, Stored>();
const received: Array<{ method: string; path: string; body: unknown }> = [];
let server: Server;
let baseUrl: string;

function seed() {
  requests.clear();
  const base = () => ({ consumerAgencyCode: '000.00.20.H41', providerAgencyCode: '000.00.03.H41', serviceCode: 'citizens', history: [] });
  requests.set('ar-1', { ...base(), id: 'ar-1', state: 'PROVIDER_APPROVED', dueAt: '2026-02-27T17:00:00.000Z', overdue: false });
  requests.set('ar-2', { ...base(), id: 'ar-2', state: 'PENDING_APPROVAL', dueAt: '2026-02-20T17:00:00.000Z', overdue: true, serviceCode: 'enterprises' });
  requests.set('ar-3', { ...base(), id: 'ar-3', state: 'LIVE', dueAt: null, overdue: false });
}

before(async () => {
  const app = express();
  app.use(express.json());
  app.use('/internal/v1', requireSharedSecret(TOKEN, 'REGISTRY_INTERNAL_TOKEN'));
  app.use((req, _res, next) => {
    received.push({ method: req.method, path: req.originalUrl, body: req.body });
    next();
  });
  const error = (res: express.Response, code: ErrorCode, message: string) => res.status(httpStatusFor(code)).json(errorBody(code, message));
  app.get('/internal/v1/access-requests', (req, res) => {
    const state = req.query.state;
    res.json({ version: 1, items: [...requests.values()].filter((r) => state === undefined || r.state === state) });
  });
  app.get('/internal/v1/access-requests/:id', (req, res) => {
    const request = requests.get(req.params.id);
    if (request === undefined) return error(res, ErrorCode.NOT_FOUND, `no access request ${req.params.id}`);
    res.json(request);
  });
  app.post('/internal/v1/access-requests/:id/actions', (req, res) => {
    const request = requests.get(req.params.id);
    if (request === undefined) return error(res, ErrorCode.NOT_FOUND, `no access request ${req.params.id}`);
    const { action, by, reason } = req.body as { action: AccessRequestAction; by: string; reason?: string };
    const step = nextState(request.state, action, 'OPERATOR', { reason });
    if (isIllegal(step)) return error(res, step.code as ErrorCode, step.message);
    request.history.push({ action, by, ...(reason === undefined ? {} : { reason }), from: request.state, to: step.to });
    request.state = step.to;
    res.json(request);
  });
  const port = await freePortForTest();
  server = app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

/** Runs the CLI in this process; answers its exit code and what it wrote. */
async function run(argv: string[], env: Record<string, string | undefined> = { REGISTRY_URL: baseUrl, REGISTRY_INTERNAL_TOKEN: TOKEN }) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runRegistryCommand(argv, { env, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

test('list and show read the registry over its internal API, as a table or JSON', async () => {
  seed();
  const table = await run(['list']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^ID\s+STATE\s+CONSUMER\s+PROVIDER\s+SERVICE\s+DUE/);
  assert.match(lines[2]!, /^ar-2\s+PENDING_APPROVAL\s+000\.00\.20\.H41\s+000\.00\.03\.H41\s+enterprises\s+2026-02-20T17:00:00\.000Z\s+OVERDUE$/);
  assert.equal(lines.length, 4);

  const pending = await run(['list', '--state', 'PENDING_APPROVAL', '--json']);
  assert.equal(pending.code, 0);
  assert.deepEqual(
    (JSON.parse(pending.stdout) as Array<{ id: string }>).map((r) => r.id),
    ['ar-2'],
  );
  assert.equal(received.at(-1)?.path, '/internal/v1/access-requests?state=PENDING_APPROVAL');

  const shown = await run(['show', 'ar-1', '--json']);
  assert.equal(JSON.parse(shown.stdout).state, 'PROVIDER_APPROVED');
  const missing = await run(['show', 'ar-404', '--json']);
  assert.equal(missing.code, 1);
  assert.equal(JSON.parse(missing.stdout).errors[0].extensions.code, 'NOT_FOUND');
  assert.match(missing.stderr, /^NOT_FOUND: GET .*ar-404: HTTP 404/);
});

test('approve, reject and suspend act as the operator with --by and --reason; the registry decides what is legal', async () => {
  seed();
  const approved = await run(['approve', 'ar-1', '--by', 'nguyen.van.a']);
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal(approved.stdout.trim(), 'access request ar-1: PROVIDER_APPROVED → TESTING (APPROVE by nguyen.van.a)');
  assert.deepEqual(received.at(-1), { method: 'POST', path: '/internal/v1/access-requests/ar-1/actions', body: { action: 'APPROVE', by: 'nguyen.van.a' } });

  const rejected = await run(['reject', 'ar-2', '--by', 'nguyen.van.a', '--reason', 'thiếu mẫu 03', '--json']);
  assert.equal(rejected.code, 0, rejected.stderr);
  assert.equal(JSON.parse(rejected.stdout).state, 'REJECTED');
  assert.deepEqual(requests.get('ar-2')?.history.at(-1), {
    action: 'REJECT',
    by: 'nguyen.van.a',
    reason: 'thiếu mẫu 03',
    from: 'PENDING_APPROVAL',
    to: 'REJECTED',
  });

  const suspended = await run(['suspend', 'ar-3', '--by', 'tran.thi.b', '--reason', 'sự cố an toàn thông tin']);
  assert.equal(suspended.code, 0);
  assert.equal(requests.get('ar-3')?.state, 'SUSPENDED');

  // Illegal now: the registry's ILLEGAL_TRANSITION comes back as is, exit 1, and nothing changed.
  const again = await run(['suspend', 'ar-3', '--by', 'tran.thi.b', '--reason', 'lần nữa', '--json']);
  assert.equal(again.code, 1);
  assert.equal(JSON.parse(again.stdout).errors[0].extensions.code, 'ILLEGAL_TRANSITION');
  assert.equal(requests.get('ar-3')?.history.length, 1);
});

test('bad usage is refused before any call: exit 2 with the reason', async () => {
  seed();
  const calls = received.length;
  for (const [argv, message] of [
    [['reject', 'ar-2', '--by', 'a'], /needs --reason/],
    [['suspend', 'ar-3', '--reason', 'x'], /needs --by/],
    [['approve', 'ar-1', '--by', '  '], /needs --by/],
    [['approve', 'ar-1', '--by', 'Nguyễn Văn A'], /needs --by <username>/],
    [['list', '--state', 'WAITING'], /not a state/],
    [['approve', '--by', 'a'], /one argument/],
    [['frobnicate'], /unknown command/],
    [['show', 'ar-1', '--reason', 'x'], /--reason is not an option of show/],
    [['deadline', '2026-02-13T10:00', '--kind', 'update', '--days', '3'], /not both/],
  ] as const) {
    const result = await run([...argv]);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(received.length, calls);
  const noUrl = await run(['list'], { REGISTRY_INTERNAL_TOKEN: TOKEN });
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /REGISTRY_URL is not set/);
  const noToken = await run(['list'], { REGISTRY_URL: baseUrl });
  assert.match(noToken.stderr, /REGISTRY_INTERNAL_TOKEN is not set/);
  // A wrong token: the registry's 401 comes back as UNAUTHENTICATED.
  const wrongToken = await run(['list', '--json'], { REGISTRY_URL: baseUrl, REGISTRY_INTERNAL_TOKEN: 'wrong' });
  assert.equal(wrongToken.code, 1);
  assert.equal(JSON.parse(wrongToken.stdout).errors[0].extensions.code, 'UNAUTHENTICATED');
  // Nothing listening: said so, exit 1.
  const closedPort = await freePortForTest();
  const down = await run(['list'], { REGISTRY_URL: `http://127.0.0.1:${closedPort}`, REGISTRY_INTERNAL_TOKEN: TOKEN });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot be reached/);
});

test('deadline works offline: the Friday before Tết 2026, --kind, --days, REGISTRY_CALENDAR_FILE', async () => {
  const offline = {}; // no REGISTRY_URL: deadline needs none
  const text = await run(['deadline', '2026-02-13T10:00+07:00'], offline);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^due 2026-02-27, Friday \(thứ Sáu\), at the end of the day in Asia\/Ho_Chi_Minh \(2026-02-27T17:00:00\.000Z\)\n/);
  const asJson = async (argv: string[], env: Record<string, string> = offline) => JSON.parse((await run(argv, env)).stdout) as Record<string, unknown>;
  assert.deepEqual(await asJson(['deadline', '2026-02-13T03:00:00Z', '--json']), {
    receivedAt: '2026-02-13T03:00:00.000Z',
    receivedOn: '2026-02-13',
    countsFrom: '2026-02-23',
    kind: 'ACCESS_REQUEST',
    workingDays: 5,
    dueDay: '2026-02-27',
    dueAt: '2026-02-27T17:00:00.000Z',
    timeZone: 'Asia/Ho_Chi_Minh',
    calendarCovers: true,
  });
  // No offset = Vietnamese time; registration counts 7 working days.
  assert.equal((await asJson(['deadline', '2026-04-20T10:00', '--kind', 'registration', '--json'])).dueDay, '2026-05-04');
  assert.equal((await asJson(['deadline', '2026-02-13', '--days', '1', '--json'])).dueDay, '2026-02-23');

  const dir = await mkdtemp(join(tmpdir(), 'lgsp-registry-cli-'));
  try {
    const file = join(dir, 'extra.json');
    await writeFile(file, JSON.stringify({ days: [{ date: '2026-02-23', kind: 'DAY_OFF', name: 'Nghỉ thêm', basis: 'thử' }] }));
    assert.equal((await asJson(['deadline', '2026-02-13T10:00', '--json'], { REGISTRY_CALENDAR_FILE: file })).dueDay, '2026-03-02');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const beyond = await run(['deadline', '2031-06-01T10:00'], offline);
  assert.equal(beyond.code, 0);
  assert.match(beyond.stderr, /resolves holidays for 2024–2030 only/);
});

test('a bad date is INVALID_DATE with exit code 2', async () => {
  for (const bad of ['2026-02-30T10:00', '13/02/2026', '2026-02-13T24:00', '2026-02-13T10:00+25:00', 'tomorrow', '2026-2-3']) {
    const result = await run(['deadline', bad, '--json'], {});
    assert.equal(result.code, 2, bad);
    assert.equal(JSON.parse(result.stdout).errors[0].extensions.code, 'INVALID_DATE', bad);
    assert.match(result.stderr, /^INVALID_DATE: /);
  }
});

test('npm run --silent registry -- deadline: the script in the root package.json, exit codes through the process', () => {
  const root = join(import.meta.dirname, '../../../..');
  const npm = (args: string[]) =>
    spawnSync('npm', ['run', '--silent', 'registry', '--', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, REGISTRY_CALENDAR_FILE: '' } });
  const ok = npm(['deadline', '2026-02-13T10:00+07:00']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^due 2026-02-27, /);
  const bad = npm(['deadline', 'not-a-date']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /INVALID_DATE/);
});
