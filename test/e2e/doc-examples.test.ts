/**
 * What a new user runs from the docs, against a real `npm start` on ports other than the defaults:
 * - `npm run token` and `npm run subscribe` in another terminal (without npm start's environment) find the platform
 *   by themselves, and when nothing answers they say where they looked and what to set;
 * - the agency-facing examples in docs/examples/ (token.mjs, query.mjs, subscribe.mjs) run as written, on Node
 *   without a global WebSocket, so the snippets the docs quote from them cannot drift.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeJwt } from 'jose';
import { developmentClientToken, developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { freePort, repoRoot } from '../../scripts/platform.ts';
import { openSubscriptionsAt } from '../testing/platform-fixture.ts';

const PORT_VARIABLES = [
  'GATEWAY_PORT',
  'CATALOGS_PORT',
  'NATIONAL_DATA_PORT',
  'RELAY_PORT',
  'SUBSCRIPTIONS_PORT',
  'REGISTRY_PORT',
  'MONITORING_PORT',
  'SIMULATOR_PORT',
  'DEV_ISSUER_PORT',
] as const;
const examples = join(repoRoot, 'docs/examples');

let ports: Record<(typeof PORT_VARIABLES)[number], number>;
/** A temporary directory of this test's own: where npm start records itself (running-platform.ts), apart from any other npm start. */
let ownTmp: string;
let start: ChildProcess;
const startOutput: string[] = [];

/** The environment of "another terminal": none of npm start's variables, the same temporary directory. */
function otherTerminal(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: ownTmp, ...extra };
  for (const name of [...PORT_VARIABLES, 'KEYCLOAK_URL', 'GATEWAY_WS_URL', 'REDIS_URL', 'LOG_LEVEL']) if (!(name in extra)) delete env[name];
  return env;
}

before(async () => {
  ownTmp = await mkdtemp(join(tmpdir(), 'lgsp-doc-examples-'));
  ports = Object.fromEntries(await Promise.all(PORT_VARIABLES.map(async (name) => [name, await freePort()]))) as typeof ports;
  const env = otherTerminal(Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])));
  start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: start.stderr! }).on('line', (line) => startOutput.push(line));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready in 150 s:\n${startOutput.join('\n')}`)), 150_000);
    createInterface({ input: start.stdout! }).on('line', (line) => {
      startOutput.push(line);
      if (line.includes('Press Ctrl+C to stop')) {
        clearTimeout(timer);
        resolve();
      }
    });
    start.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${startOutput.join('\n')}`)));
  });
});

after(async () => {
  if (start !== undefined && start.exitCode === null && start.signalCode === null) {
    const exited = once(start, 'exit');
    start.kill('SIGINT');
    await exited;
  }
  await rm(ownTmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A long-running command whose output lines are collected, with a way to wait for one. */
function follow(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => out.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => err.push(line));
  return {
    out,
    err,
    async until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`${what}: not seen; stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

const issuer = () => `http://localhost:${ports.DEV_ISSUER_PORT}/realms/lgsp`;
const gatewayUrl = () => `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
const subscriptionsMetrics = () => `http://127.0.0.1:${ports.SUBSCRIPTIONS_PORT}/metrics`;

/** The Department of Finance's system sends the Department of Justice a packet; its id. */
async function sendPacketToJustice(title: string): Promise<string> {
  const token = await developmentClientToken(issuer(), 'sotaichinh-h41-dkkd');
  const content = Buffer.from(JSON.stringify({ title }));
  const response = await fetch(gatewayUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }',
      variables: {
        input: {
          recipients: { agencyCodes: ['000.00.04.H41'] },
          title,
          priority: 'NORMAL',
          dataType: 'JSON',
          protocol: 'lgsp-json',
          declaredBytes: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
        },
      },
    }),
  });
  const body = (await response.json()) as { data: { requestExchange: { id: string; uploadUrl: string } }; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  // The relay's URLs name the gateway's public origin (GATEWAY_PUBLIC_URL; npm start's default: localhost and its port).
  assert.ok(body.data.requestExchange.uploadUrl.startsWith(`http://localhost:${ports.GATEWAY_PORT}/exchange/`), body.data.requestExchange.uploadUrl);
  const upload = await fetch(body.data.requestExchange.uploadUrl, { method: 'PUT', body: content });
  assert.equal(upload.status, 201, await upload.clone().text());
  return body.data.requestExchange.id;
}

test('npm run token, typed in another terminal, gets a token from the issuer npm start runs on its non-default port', async () => {
  const result = await run(['--import', 'tsx', 'scripts/dev-token.ts', 'congan-h41-dancu'], otherTerminal());
  assert.equal(result.code, 0, result.stderr);
  const claims = decodeJwt(result.stdout.trim());
  assert.equal(claims.iss, issuer());
  assert.equal(claims.azp, 'congan-h41-dancu');
});

test('npm run token says where it looked and what to set when no issuer answers there', async () => {
  const nothing = await freePort();
  const result = await run(['--import', 'tsx', 'scripts/dev-token.ts'], otherTerminal({ DEV_ISSUER_PORT: String(nothing) }));
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    new RegExp(`no identity provider answers at http://localhost:${nothing}/realms/lgsp \\(ECONNREFUSED\\) — is \`npm start\` running\\?`),
  );
  assert.match(result.stderr, new RegExp(`comes from DEV_ISSUER_PORT=${nothing}`));
  assert.match(result.stderr, /set DEV_ISSUER_PORT \(or KEYCLOAK_URL, a realm URL\)/);
  assert.doesNotMatch(result.stderr, /fetch failed|at async|\.ts:\d+/, 'a sentence, not a stack trace');
});

test('npm run subscribe, typed in another terminal, follows the inbox through the gateway npm start runs', async () => {
  const openBefore = await openSubscriptionsAt(subscriptionsMetrics());
  const subscriber = follow(
    ['--import', 'tsx', 'scripts/subscribe.ts', 'sotuphap-h41-hotich', 'subscription { packetAvailable { eventId packet { id title } } }'],
    otherTerminal(),
  );
  try {
    await subscriber.until('connected', () => subscriber.err.some((line) => line.startsWith(`connected to ws://127.0.0.1:${ports.GATEWAY_PORT}/graphql`)));
    await subscriber.until('the subscription is open', async () => (await openSubscriptionsAt(subscriptionsMetrics())) > openBefore);
    const id = await sendPacketToJustice('Công văn qua npm run subscribe');
    await subscriber.until('the event', () => subscriber.out.some((line) => line.includes(id)));
    const event = JSON.parse(subscriber.out.find((line) => line.includes(id))!) as { data: { packetAvailable: { packet: { title: string } } } };
    assert.equal(event.data.packetAvailable.packet.title, 'Công văn qua npm run subscribe');
  } finally {
    await subscriber.stop();
  }
});

test('npm run subscribe says where it looked and what to set when no gateway answers there', async () => {
  const nothing = await freePort();
  const result = await run(
    ['--import', 'tsx', 'scripts/subscribe.ts', 'sotuphap-h41-hotich', 'subscription { packetAvailable { eventId } }'],
    otherTerminal({ GATEWAY_PORT: String(nothing) }),
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`no gateway answers at ws://localhost:${nothing}/graphql \\(.*ECONNREFUSED.*\\) — is \`npm start\` running\\?`));
  assert.match(result.stderr, new RegExp(`comes from GATEWAY_PORT=${nothing}`));
  assert.match(result.stderr, /set GATEWAY_PORT \(or GATEWAY_WS_URL\)/);
  assert.doesNotMatch(result.stderr, /\b1006\b(?! *[:)])|at async/, 'not a bare close code or a stack trace');
});

/** The environment an agency developer gives the examples: their own client, the platform's URLs, no WebSocket global. */
async function exampleEnv(client: { id: string; secret?: boolean }, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const realm = await loadRealmExport();
  const credentials = client.secret
    ? { LGSP_CLIENT_SECRET: realm.clients.find((c) => c.clientId === client.id)!.secret! }
    : { LGSP_CLIENT_KEY: join(repoRoot, `keycloak/dev-credentials/${client.id}.private.pem`) };
  return {
    ...otherTerminal(),
    LGSP_REALM_URL: issuer(),
    LGSP_GATEWAY_URL: gatewayUrl(),
    LGSP_GATEWAY_WS_URL: gatewayUrl().replace(/^http/, 'ws'),
    LGSP_CLIENT_ID: client.id,
    ...credentials,
    ...extra,
  };
}
/** As on a Node with no global WebSocket (Node 20; Node 22 has one unless told otherwise). */
const node = (script: string, ...args: string[]) => ['--no-experimental-websocket', join(examples, script), ...args];

test('docs/examples/token.mjs gets a token with an HS256 (client secret) or RS256 (private key) client assertion', async () => {
  for (const client of [{ id: 'vpubnd-h41-motcua', secret: true }, { id: 'congan-h41-dancu' }]) {
    const result = await run(node('token.mjs'), await exampleEnv(client));
    assert.equal(result.code, 0, result.stderr);
    const claims = decodeJwt(result.stdout.trim());
    assert.equal(claims.iss, issuer());
    assert.equal(claims.azp, client.id);
  }
  const unset = await run(node('token.mjs'), otherTerminal({ LGSP_REALM_URL: issuer() }));
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /set LGSP_CLIENT_ID and LGSP_CLIENT_SECRET/);
});

test('docs/examples/query.mjs reads a citizen with plain fetch, a token and a purpose written in Vietnamese', async () => {
  const samples = (await (await fetch(`http://127.0.0.1:${ports.SIMULATOR_PORT}/_sim/samples?count=1`)).json()) as { citizens: string[] };
  const query = `{ citizen(personalId: "${samples.citizens[0]}") { fullName ethnicity { name } } }`;
  // The hospital's system is granted citizens' basic data for the purpose category healthcare only: the answer
  // arrives only if the gateway decoded the percent-encoded purpose (encodeURIComponent writes ":" as %3A too).
  const hospital = await run(node('query.mjs', query), await exampleEnv({ id: 'bvhndk-h41-his' }, { LGSP_PURPOSE: 'healthcare:Khám chữa bệnh lần 88' }));
  assert.equal(hospital.code, 0, hospital.stdout + hospital.stderr);
  assert.ok((JSON.parse(hospital.stdout) as { data: { citizen: { fullName: string } } }).data.citizen.fullName.length > 1);
  const otherPurpose = await run(node('query.mjs', query), await exampleEnv({ id: 'bvhndk-h41-his' }, { LGSP_PURPOSE: 'giáo-dục:Hồ sơ 1' }));
  assert.equal(otherPurpose.code, 1);
  assert.match(otherPurpose.stdout, /UNAUTHORIZED_FIELD_OR_TYPE/);

  const police = await run(node('query.mjs', query), await exampleEnv({ id: 'congan-h41-dancu' }, { LGSP_PURPOSE: 'residence-management:HS-2026-000123' }));
  assert.equal(police.code, 0, police.stdout + police.stderr);
  const body = JSON.parse(police.stdout) as { data: { citizen: { fullName: string; ethnicity: { name: string } } } };
  assert.ok(body.data.citizen.fullName.length > 1);
  assert.ok(body.data.citizen.ethnicity.name.length > 1);

  const withoutPurpose = await run(node('query.mjs', query), await exampleEnv({ id: 'congan-h41-dancu' }));
  assert.equal(withoutPurpose.code, 1, 'an answer with errors exits 1');
  assert.match(withoutPurpose.stdout, /PURPOSE_REQUIRED/);
});

test('docs/examples/subscribe.mjs follows the inbox with graphql-ws and ws on Node without a global WebSocket', async () => {
  const openBefore = await openSubscriptionsAt(subscriptionsMetrics());
  const subscriber = follow(node('subscribe.mjs'), await exampleEnv({ id: 'sotuphap-h41-hotich' }));
  try {
    await subscriber.until('connected', () => subscriber.err.includes('connected; waiting for events'));
    await subscriber.until('the subscription is open', async () => (await openSubscriptionsAt(subscriptionsMetrics())) > openBefore);
    const id = await sendPacketToJustice('Công văn qua docs/examples');
    await subscriber.until('the event', () => subscriber.out.some((line) => line.includes(id)));
    const event = JSON.parse(subscriber.out.find((line) => line.includes(id))!) as {
      eventId: string;
      packet: { title: string };
      source: { code: string; name: string };
    };
    assert.equal(event.packet.title, 'Công văn qua docs/examples');
    assert.equal(event.source.code, '000.00.03.H41');
    assert.match(event.source.name, /Sở Tài chính/);
    assert.ok(event.eventId.length > 0);
  } finally {
    await subscriber.stop();
  }
});

test("the portal's redirect URIs follow the gateway's port: a civil servant signs in back to it, not to port 4000", async () => {
  const realm = await loadRealmExport();
  const user = realm.users.find((u) => u.username === 'hoa.vo')!;
  const tokens = await developmentPortalLogin(issuer(), user.username, developmentPassword(user)!, `http://localhost:${ports.GATEWAY_PORT}/portal/callback`);
  assert.equal(decodeJwt(tokens.accessToken).preferred_username, 'hoa.vo');
  const authorize = new URL(`${issuer()}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    state: 's',
    redirect_uri: 'http://localhost:4000/portal/callback',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  assert.equal((await fetch(authorize, { redirect: 'manual' })).status, 400, 'port 4000 is not where this gateway runs');
});

test('docs/examples/onboarding.mjs walks a new agency from registration to live access and back out, as the README quotes it', async () => {
  // As the README has it: only the two URLs set (npm start's issuer and gateway on this test's ports).
  const env = { ...otherTerminal(), LGSP_REALM_URL: issuer(), LGSP_GATEWAY_URL: `http://localhost:${ports.GATEWAY_PORT}/graphql` };
  const result = await run(['--no-experimental-websocket', join(examples, 'onboarding.mjs')], env, 90_000);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const lines = result.stdout.split('\n');
  const line = (n: string) => lines.find((l) => l.startsWith(`${n}. `)) ?? assert.fail(`no step ${n} in:\n${result.stdout}`);
  assert.match(line('1'), /^1\. operator registered agency 000\.00\.22\.H41 \(UBND xã Quế Phong\): ACTIVE$/);
  assert.match(line('2'), /^2\. provider submitted version 2 of national-data-citizen \(due \d{4}-\d\d-\d\dT[^)]+\); operator: APPROVED$/);
  assert.match(line('3'), /: PENDING_APPROVAL, received .*, due .* \(5 working days\), overdue: false$/);
  assert.equal(line('4'), '4. provider APPROVE: PROVIDER_APPROVED; operator APPROVE: TESTING (overdue: false)');
  assert.match(result.stdout, /test citizen 020067289952: Võ Mạnh Thắng; production citizen 040074988660: null/);
  assert.equal(line('6'), '6. consumer REPORT_INTEGRATED: INTEGRATION_REPORTED; provider CONFIRM_INTEGRATION: LIVE');
  assert.match(
    line('7'),
    /^7\. production credential 000\.00\.22\.h41\.mot-cua-xa-que-phong\.production: citizen 040074988660: \{"fullName":"Trần Quốc Hòa","dateOfBirth":"[^"]+"\}; test citizen: null$/,
  );
  assert.match(result.stdout, /enterprise\.legalRepresentative\.personalId \(not approved\): UNAUTHORIZED_FIELD_OR_TYPE/);
  assert.match(line('8'), /^8\. request 11 within 60 s: HTTP 429 RATE_LIMITED, Retry-After: \d+, RateLimit: "national-data";r=0;t=\d+$/);
  const cancelled = /^9\. consumer CANCEL: CANCELLED; the production token is refused (\d+) ms later: HTTP (\d+) (\w+); a new token: \w+$/.exec(line('9'));
  assert.ok(cancelled, line('9'));
  assert.ok(Number(cancelled[1]) <= 5_000, `within the 5 s bound: ${cancelled[1]} ms`);

  // Run again on the same platform: a sentence saying why it stops and what to do, not a stack trace.
  const again = await run(['--no-experimental-websocket', join(examples, 'onboarding.mjs')], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^onboarding stopped: registerAgency: agency 000\.00\.22\.H41 is already registered \(ALREADY_EXISTS\)$/m);
  assert.match(again.stderr, /restart `npm start` \(without REDIS_URL\) to run it again/);
  assert.doesNotMatch(again.stderr, /at async|\.mjs:\d+/);
});
