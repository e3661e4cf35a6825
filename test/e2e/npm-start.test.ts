/**
 * `npm start` as a newcomer runs it: embedded defaults (no Redis), every service a real process, the URLs printed,
 * a citizen queryable with catalog names joined, a packet exchanged with its real-time notification (events cross
 * from the relay to the subscriptions process without Redis); and configuration errors that name the variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import { developmentClientToken } from '../../keycloak/src/dev-clients.ts';
import { freePort, repoRoot } from '../../scripts/platform.ts';
import { openSubscriptionsAt } from '../testing/platform-fixture.ts';

const startScript = 'scripts/start.ts';

test('npm start runs the platform on embedded defaults and prints where to go', async () => {
  const ports = {
    GATEWAY_PORT: await freePort(),
    CATALOGS_PORT: await freePort(),
    NATIONAL_DATA_PORT: await freePort(),
    RELAY_PORT: await freePort(),
    SUBSCRIPTIONS_PORT: await freePort(),
    REGISTRY_PORT: await freePort(),
    MONITORING_PORT: await freePort(),
    SIMULATOR_PORT: await freePort(),
    DEV_ISSUER_PORT: await freePort(),
  };
  const env: Record<string, string | undefined> = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  delete env.REDIS_URL;
  delete env.LOG_LEVEL;
  const child = spawn(process.execPath, ['--import', 'tsx', startScript], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  try {
    const ready = await new Promise<string>((resolve, reject) => {
      // 17 s on a quiet 2-core machine; much longer while other test files start platforms of their own.
      const timer = setTimeout(() => reject(new Error(`not ready in 150 s:\n${output.join('\n')}`)), 150_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        output.push(line);
        if (line.includes('GraphQL endpoint')) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.join('\n')}`)));
    });
    const url = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
    assert.ok(ready.includes(`:${ports.GATEWAY_PORT}/graphql`), ready);
    // The portal first among the addresses, on the origin the identity provider sends people back to, and served.
    const addresses = output.filter((l) => /^ {2}\S.*\s(https?|ws):\/\//.test(l));
    assert.match(addresses[0] ?? '', new RegExp(`^ {2}Portal\\s+http://localhost:${ports.GATEWAY_PORT}/portal/ `), addresses.join('\n'));
    const portal = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/portal/`, { headers: { accept: 'text/html' } });
    assert.equal(portal.status, 200);
    const portalHtml = await portal.text();
    assert.match(portalHtml, /<div id="root"><\/div>/);
    assert.match(portalHtml, /<title>Cổng LGSP Nghệ An<\/title>/);
    // The built page (portal/dist), not a placeholder: its script bundle is served too.
    const bundle = /<script type="module" crossorigin src="(\/portal\/assets\/[^"]+\.js)"/.exec(portalHtml)?.[1];
    assert.ok(bundle !== undefined, `the built page names its bundle: ${portalHtml}`);
    const script = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}${bundle}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    // A deep link (a screen's URL opened directly) gets the same page.
    const deep = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/portal/developer/catalogue`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="root"><\/div>/);
    assert.ok(
      output.some((l) => l.includes('in-memory stores')),
      'says it runs on in-memory stores',
    );
    assert.ok(
      output.some((l) => l.includes(`http://localhost:${ports.DEV_ISSUER_PORT}/realms/lgsp`)),
      'prints the identity provider',
    );

    const samples = (await (await fetch(`http://127.0.0.1:${ports.SIMULATOR_PORT}/_sim/samples?count=1`)).json()) as { citizens: string[] };
    // As an agency system would: a token from the development issuer npm start runs (the Police's population
    // system, which is granted citizens' personal data), and a declared purpose.
    // The command npm start prints: npm run --silent token -- congan-h41-dancu
    assert.ok(
      output.some((l) => l.includes('npm run --silent token -- congan-h41-dancu')),
      'tells how to get a token',
    );
    const tokenRun = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dev-token.ts', 'congan-h41-dancu'], {
      cwd: repoRoot,
      env: { ...env, DEV_ISSUER_PORT: String(ports.DEV_ISSUER_PORT) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(tokenRun.status, 0, tokenRun.stderr);
    const token = tokenRun.stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-lgsp-purpose': 'residence-management:HS-2026-000123' },
      body: JSON.stringify({ query: `{ citizen(personalId: "${samples.citizens[0]}") { fullName ethnicity { name } permanentAddress { ward { name } } } }` }),
    });
    const body = (await res.json()) as {
      data: { citizen: { fullName: string; ethnicity: { name: string }; permanentAddress: { ward: { name: string } } } };
      errors?: unknown;
    };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.ok(body.data.citizen.ethnicity.name.length > 1);
    assert.ok(body.data.citizen.permanentAddress.ward.name.length > 1);

    await exchangeWithNotification(url, env, ports);

    // A browser gets the landing page outside production: GraphiQL, served by the gateway itself.
    const landing = await fetch(url, { headers: { accept: 'text/html' } });
    assert.equal(landing.status, 200);
    const landingHtml = await landing.text();
    assert.match(landingHtml, /<html/i);
    assert.match(landingHtml, /<title>LGSP Gateway — GraphiQL<\/title>/);
  } finally {
    // Already gone (it failed to start): its exit event has passed, and the failure above is the one to report.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = await exited;
      assert.equal(code, 0, 'stops cleanly on Ctrl+C');
    }
  }
  // Every service process is gone: the ports are free again.
  for (const port of Object.values(ports)) {
    const res = await fetch(`http://127.0.0.1:${port}/`).then(
      () => 'open',
      () => 'closed',
    );
    assert.equal(res, 'closed', `port ${port} released`);
  }
});

test('npm start refuses invalid configuration, naming the variable', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', startScript], {
    cwd: repoRoot,
    env: { ...process.env, GATEWAY_PORT: 'eighty', REDIS_URL: 'http://not-redis' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /GATEWAY_PORT: must be a TCP port number/);
  assert.match(result.stderr, /REDIS_URL: must start with redis:\/\//);
});

test('a service refuses invalid configuration at start-up, naming the variable', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'subgraphs/national-data/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, NATIONAL_PLATFORM_URL: 'not a url', PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr + result.stdout, /NATIONAL_PLATFORM_URL/);
});

/**
 * The exchange of docs/agency-guide.md on embedded defaults: the Department of Justice's system follows its inbox with
 * `npm run subscribe` (scripts/subscribe.ts) through the gateway, the Department of Finance's system sends it a
 * packet, the event arrives with the packet's title and the source's name, and the packet is claimed, downloaded
 * and acknowledged.
 */
async function exchangeWithNotification(url: string, env: Record<string, string | undefined>, ports: Record<string, number>): Promise<void> {
  const issuer = `http://localhost:${ports.DEV_ISSUER_PORT}/realms/lgsp`;
  const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const body = (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as {
      data: Record<string, any>;
      errors?: unknown;
    };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data;
  };
  const subscriber = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/subscribe.ts', 'sotuphap-h41-hotich', 'subscription { packetAvailable { eventId packet { id title } source { code name } } }'],
    {
      cwd: repoRoot,
      env: { ...env, DEV_ISSUER_PORT: String(ports.DEV_ISSUER_PORT), GATEWAY_WS_URL: url.replace(/^http/, 'ws') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: string[] = [];
  const errors: string[] = [];
  createInterface({ input: subscriber.stdout! }).on('line', (line) => events.push(line));
  createInterface({ input: subscriber.stderr! }).on('line', (line) => errors.push(line));
  const waitFor = async (what: string, done: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await done())) {
      if (Date.now() > deadline || subscriber.exitCode !== null)
        throw new Error(`${what}: not seen; subscriber said:\n${errors.join('\n')}\n${events.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitFor('the subscriber connects', () => errors.some((l) => l.startsWith('connected to')));
    // The subscription gave no `after`: send only once the subscriptions service has it open.
    const subscriptionsMetrics = `http://127.0.0.1:${ports.SUBSCRIPTIONS_PORT}/metrics`;
    await waitFor('the subscriptions service has the subscription open', async () => (await openSubscriptionsAt(subscriptionsMetrics)) > 0);

    const finance = await developmentClientToken(issuer, 'sotaichinh-h41-dkkd');
    const justice = await developmentClientToken(issuer, 'sotuphap-h41-hotich');
    const content = Buffer.from(JSON.stringify({ hello: 'Sở Tư pháp' }));
    const sha256 = createHash('sha256').update(content).digest('hex');
    const { requestExchange } = await gql(finance, 'mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }', {
      input: {
        recipients: { agencyCodes: ['000.00.04.H41'] },
        title: 'Công văn thử',
        priority: 'HIGH',
        dataType: 'JSON',
        protocol: 'lgsp-json',
        declaredBytes: content.length,
        sha256,
      },
    });
    const upload = await fetch(requestExchange.uploadUrl, { method: 'PUT', body: content });
    assert.equal(upload.status, 201, await upload.clone().text());

    await waitFor('the packetAvailable event', () => events.length > 0);
    const event = (JSON.parse(events[0]!) as { data: { packetAvailable: { packet: { id: string; title: string }; source: { code: string; name: string } } } })
      .data.packetAvailable;
    assert.deepEqual(event.packet, { id: requestExchange.id, title: 'Công văn thử' });
    assert.equal(event.source.code, '000.00.03.H41');
    assert.match(event.source.name, /Sở Tài chính/);

    const { claimPacket } = await gql(justice, 'mutation($id: ID!) { claimPacket(id: $id) { downloadUrl sha256 } }', { id: requestExchange.id });
    const download = Buffer.from(await (await fetch(claimPacket.downloadUrl)).arrayBuffer());
    assert.ok(download.equals(content), 'the content arrives intact');
    const { acknowledgePacket } = await gql(justice, 'mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status } }', {
      id: requestExchange.id,
      sha: sha256,
    });
    assert.equal(acknowledgePacket.status, 'DELIVERED');
  } finally {
    subscriber.kill('SIGINT');
    if (subscriber.exitCode === null) await once(subscriber, 'exit');
  }
}
