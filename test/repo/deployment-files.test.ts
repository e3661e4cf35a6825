/**
 * The deployment files follow the workspaces: the Docker image installs every workspace's dependencies, so a new
 * workspace that the Dockerfile forgets would build an image that cannot start; and the ingress of docker-compose.yml
 * gets every variable its nginx templates name.
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

test('docker-compose gives the ingress every variable its nginx templates name, and the templates the ports compose uses', async () => {
  const templates = {
    'deploy/ingress/lgsp-ingress.conf.template': '/etc/nginx/templates/default.conf.template',
    'deploy/ingress/lgsp-tls.conf.template': '/etc/nginx/templates/tls.conf.template',
  };
  const compose = await readFile(`${repoRoot}docker-compose.yml`, 'utf8');
  const ingress = /^ {2}ingress:\n((?: {4}.*\n|\n)+)/m.exec(compose)?.[1];
  assert.ok(ingress !== undefined, 'docker-compose.yml has an ingress service');
  for (const [file, target] of Object.entries(templates)) {
    assert.ok(ingress.includes(`./${file}:${target}:ro`), `${file} is mounted where the nginx image renders templates (${target})`);
    // The nginx image substitutes only the variables defined in the environment: one left out stays `${NAME}` and
    // nginx refuses to start.
    const template = await readFile(`${repoRoot}${file}`, 'utf8');
    const names = [...new Set([...template.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!))];
    assert.ok(names.length > 0);
    for (const name of names) assert.match(ingress, new RegExp(`^ {6}${name}: `, 'm'), `docker-compose.yml ingress environment: ${name} (${file})`);
  }
  // The upstreams name the services compose runs, on their ports; TLS on 443.
  assert.match(ingress, /GATEWAY_1: gateway-1:4000\n/);
  assert.match(ingress, /GATEWAY_2: gateway-2:4000\n/);
  assert.match(ingress, /RELAY: relay:4103\n/);
  assert.match(ingress, /KEYCLOAK: keycloak:8080\n/);
  assert.match(ingress, /INGRESS_PORT: 443 ssl\n/);
  assert.match(ingress, /INGRESS_HTTP_PORT: "80"\n/);
  assert.match(compose, /RELAY_PUBLIC_URL: https:\/\/\$\{LGSP_PUBLIC_HOST:\?/, 'the relay hands out URLs of the ingress');
});
