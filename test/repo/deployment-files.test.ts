/**
 * The deployment files follow the workspaces: the Docker image installs every workspace's dependencies, so a new
 * workspace that the Dockerfile forgets would build an image that cannot start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { repoRoot } from '../../scripts/platform.ts';

test('the Dockerfile copies the package.json of every workspace before npm ci', async () => {
  const { workspaces } = JSON.parse(await readFile(`${repoRoot}package.json`, 'utf8')) as { workspaces: string[] };
  const dockerfile = await readFile(`${repoRoot}Dockerfile`, 'utf8');
  for (const workspace of workspaces) {
    assert.match(
      dockerfile,
      new RegExp(`^COPY ${workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/package\\.json `, 'm'),
      `Dockerfile: COPY ${workspace}/package.json`,
    );
  }
});

test('docker-compose gives the ingress every variable its nginx template names, and the template the ports compose uses', async () => {
  const template = await readFile(`${repoRoot}deploy/ingress/lgsp-ingress.conf.template`, 'utf8');
  const compose = await readFile(`${repoRoot}docker-compose.yml`, 'utf8');
  const ingress = /^ {2}ingress:\n((?: {4}.*\n|\n)+)/m.exec(compose)?.[1];
  assert.ok(ingress !== undefined, 'docker-compose.yml has an ingress service');
  assert.match(ingress, /\/etc\/nginx\/templates\/default\.conf\.template/, 'the template is mounted where the nginx image renders templates');
  // The nginx image substitutes only the variables defined in the environment: one left out stays `${NAME}` and
  // nginx refuses to start.
  const names = [...new Set([...template.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!))];
  assert.ok(names.length > 0);
  for (const name of names) assert.match(ingress, new RegExp(`^ {6}${name}: `, 'm'), `docker-compose.yml ingress environment: ${name}`);
  // The upstreams name the services compose runs, on their ports.
  assert.match(ingress, /GATEWAY_1: gateway-1:4000\n/);
  assert.match(ingress, /RELAY: relay:4103\n/);
  assert.match(compose, /RELAY_PUBLIC_URL: http:\/\/localhost:4000\n/, 'the relay hands out URLs of the ingress');
});
