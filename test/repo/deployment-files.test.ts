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
    assert.match(dockerfile, new RegExp(`^COPY ${workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/package\\.json `, 'm'), `Dockerfile: COPY ${workspace}/package.json`);
  }
});
