/**
 * `npm start` as a newcomer runs it: embedded defaults (no Redis), every service a real process, the URLs printed,
 * a citizen queryable with catalog names joined; and configuration errors that name the variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { freePort, repoRoot } from '../../scripts/platform.ts';

const startScript = 'scripts/start.ts';

test('npm start runs the platform on embedded defaults and prints where to go', async () => {
  const ports = { GATEWAY_PORT: await freePort(), CATALOGS_PORT: await freePort(), NATIONAL_DATA_PORT: await freePort(), RELAY_PORT: await freePort(), SIMULATOR_PORT: await freePort(), DEV_ISSUER_PORT: await freePort() };
  const env: Record<string, string | undefined> = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  delete env.REDIS_URL;
  delete env.LOG_LEVEL;
  const child = spawn(process.execPath, ['--import', 'tsx', startScript], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  try {
    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output.join('\n')}`)), 60_000);
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
    assert.ok(output.some((l) => l.includes('in-memory stores')), 'says it runs on in-memory stores');
    assert.ok(output.some((l) => l.includes(`http://localhost:${ports.DEV_ISSUER_PORT}/realms/lgsp`)), 'prints the identity provider');

    const samples = (await (await fetch(`http://127.0.0.1:${ports.SIMULATOR_PORT}/_sim/samples?count=1`)).json()) as { citizens: string[] };
    // As an agency system would: a token from the development issuer npm start runs (the Police's population
    // system, which is granted citizens' personal data), and a declared purpose.
    // The command npm start prints: npm run --silent token -- congan-h41-dancu
    assert.ok(output.some((l) => l.includes('npm run --silent token -- congan-h41-dancu')), 'tells how to get a token');
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
    const body = (await res.json()) as { data: { citizen: { fullName: string; ethnicity: { name: string }; permanentAddress: { ward: { name: string } } } }; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.ok(body.data.citizen.ethnicity.name.length > 1);
    assert.ok(body.data.citizen.permanentAddress.ward.name.length > 1);

    // A browser gets the landing page outside production.
    const landing = await fetch(url, { headers: { accept: 'text/html' } });
    assert.equal(landing.status, 200);
    assert.match(await landing.text(), /<html/i);
  } finally {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, 'stops cleanly on Ctrl+C');
  }
  // Every service process is gone: the ports are free again.
  for (const port of Object.values(ports)) {
    const res = await fetch(`http://127.0.0.1:${port}/`).then(() => 'open', () => 'closed');
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
