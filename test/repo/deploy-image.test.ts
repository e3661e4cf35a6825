/**
 * The production image contains the built portal, and the ingress sends the portal to the gateways:
 * - the Dockerfile's build stage copies the portal's sources before `npm ci`, whose root `prepare` script builds them
 *   (`npm run build -w portal`), and stops when portal/dist/index.html is missing; the runtime stage copies the
 *   installed dependencies and portal/dist; .dockerignore keeps the host's node_modules and build out;
 * - the portal builds from exactly the files that stage has (run here with the repository's installed dependencies);
 * - a real nginx runs deploy/ingress/lgsp-ingress.conf.template in front of a small HTTP server standing where the
 *   gateways are: /portal/ reaches a gateway as it is, /portal/assets/ is cached a year, a missing asset is not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, repoRoot } from '../../scripts/platform.ts';
import { startIngress, type Ingress } from '../../scripts/ingress.ts';

interface Stage {
  name: string | undefined;
  lines: string[];
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped). */
async function dockerStages(): Promise<Stage[]> {
  const text = (await readFile(join(repoRoot, 'Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from !== null) stages.push({ name: from[1], lines: [] });
    else stages.at(-1)!.lines.push(line);
  }
  return stages;
}

const rootPackage = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[]; scripts: Record<string, string> };

describe('the production image (Dockerfile)', () => {
  it('builds the portal in its build stage: sources copied before `npm ci`, whose prepare script builds it', async () => {
    const stages = await dockerStages();
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const build = stages.find((s) => s.lines.some((l) => /^RUN .*\bnpm ci\b/.test(l)) && s !== stages.at(-1));
    assert.ok(build?.name !== undefined, 'a named stage runs npm ci');
    // `npm ci` runs the root project's prepare script (unless scripts are ignored): it must build the portal.
    assert.match(rootPackage.scripts.prepare ?? '', /\bbuild (--workspace|-w) portal\b/, 'package.json prepare builds the portal');
    const ci = build.lines.findIndex((l) => /^RUN .*\bnpm ci\b/.test(l));
    const ciLine = build.lines[ci]!;
    const explicit = /npm run (--silent )?build (--workspace|-w) portal/.test(ciLine);
    assert.ok(explicit || !/--ignore-scripts/.test(ciLine), 'npm ci runs the prepare script (or the build is explicit)');
    assert.match(ciLine, /--include=dev/, "the portal's build tools (Vite) are installed");
    const sources = build.lines.findIndex((l) => /^COPY portal\/? portal\/?$/.test(l));
    assert.ok(sources !== -1 && sources < ci, "the portal's sources are in place before npm ci runs prepare");
    assert.match(ciLine, /test -s portal\/dist\/index\.html/, 'no image with an unbuilt portal');
    for (const workspace of rootPackage.workspaces)
      assert.ok(build.lines.slice(0, ci).includes(`COPY ${workspace}/package.json ${workspace}/`), `${workspace}/package.json before npm ci`);
  });

  it('copies the dependencies and the built portal into the runtime image, which runs the gateway as node', async () => {
    const stages = await dockerStages();
    const runtime = stages.at(-1)!;
    const build = stages.find((s) => s.lines.some((l) => /\bnpm ci\b/.test(l)))!;
    assert.ok(runtime.lines.includes(`COPY --from=${build.name} /app/node_modules node_modules`));
    assert.ok(runtime.lines.includes('COPY . .'));
    const dist = runtime.lines.indexOf(`COPY --from=${build.name} /app/portal/dist portal/dist`);
    assert.ok(dist > runtime.lines.indexOf('COPY . .'), 'portal/dist copied from the build stage (after the sources)');
    assert.ok(runtime.lines.includes('WORKDIR /app'));
    assert.ok(runtime.lines.includes('USER node'));
    assert.ok(runtime.lines.includes('ENV NODE_ENV=production'));
    assert.match(
      runtime.lines.find((l) => l.startsWith('ENTRYPOINT'))!,
      /deploy\/docker-entrypoint\.sh/,
    );
    // Only the root node_modules is copied: no workspace may have dependencies of its own but the portal, which
    // the runtime does not need (the gateway serves its build).
    const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const nested = Object.keys(lock.packages).filter((path) => /^(?!node_modules\/)[^/].*?\/node_modules\//.test(path) && !path.startsWith('portal/'));
    assert.deepEqual(nested, [], 'workspaces with their own node_modules, which the runtime stage would miss');
    const ignore = (await readFile(join(repoRoot, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
    for (const pattern of ['**/node_modules', 'portal/dist', '.git']) assert.ok(ignore.includes(pattern), `.dockerignore: ${pattern}`);
  });

  it('the portal builds from exactly what the build stage has before npm ci', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-image-'));
    try {
      // The build stage's files: the manifests and the portal without the host's node_modules and dist (.dockerignore);
      // the dependencies npm ci would install are the repository's.
      for (const file of ['package.json', 'package-lock.json', ...rootPackage.workspaces.map((w) => `${w}/package.json`)]) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await cp(join(repoRoot, file), join(dir, file));
      }
      await cp(join(repoRoot, 'portal'), join(dir, 'portal'), {
        recursive: true,
        filter: (source) => !/[/\\]portal[/\\](node_modules|dist)([/\\]|$)/.test(source),
      });
      await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
      await symlink(join(repoRoot, 'portal/node_modules'), join(dir, 'portal/node_modules'));
      const result = spawnSync('npm', ['run', 'prepare'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      const index = await readFile(join(dir, 'portal/dist/index.html'), 'utf8');
      assert.match(index, /src="\/portal\/assets\/[^"]+\.js"/, 'assets under /portal/assets/, the path the ingress caches');
      const assets = await readdir(join(dir, 'portal/dist/assets'));
      assert.ok(
        assets.some((name) => /-[\w-]{8,}\.js$/.test(name)),
        `hashed file names: ${assets.join(' ')}`,
      );
      assert.doesNotMatch(index, /https?:\/\/(?!www\.w3\.org)/, 'nothing fetched from elsewhere (closed networks)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the portal through the ingress (deploy/ingress/lgsp-ingress.conf.template)', () => {
  let gateway: Server;
  let ingress: Ingress;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

  before(async () => {
    // Where the gateways are: the portal's answers as the gateway gives them (assets `immutable`, the rest no-cache).
    gateway = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const url = req.url ?? '';
      if (url === '/portal/assets/missing.js') {
        res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-cache' }).end('Not found.\n');
        return;
      }
      const asset = url.startsWith('/portal/assets/');
      res
        .writeHead(200, {
          'content-type': asset ? 'text/javascript' : url.startsWith('/portal') ? 'text/html' : 'application/json',
          // A gateway that forgot the asset header: the ingress still caches the asset.
          'cache-control': 'no-cache',
        })
        .end(asset ? 'export {};\n' : JSON.stringify({ upstream: 'gateway', url }));
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const hostPort = `127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    ingress = await startIngress({ port: await freePort(), gateways: [hostPort, hostPort], relay: hostPort });
  });
  after(async () => {
    await ingress?.close();
    await new Promise((resolve) => gateway?.close(resolve));
  });

  it('sends /portal/ and its routes to a gateway as they are, with the forwarded headers, keeping its no-cache', async () => {
    for (const path of ['/portal/', '/portal/callback?code=abc&state=xyz', '/portal/config.json', '/portal/agency/requests/42']) {
      // As a browser of the public host (fetch may not set Host).
      const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) =>
        get(`${ingress.url}${path}`, { headers: { host: 'lgsp.example.gov.vn' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        }).on('error', reject),
      );
      assert.equal(answer.status, 200, path);
      assert.equal(seen.at(-1)!.url, path, `${path} reached the gateway unchanged`);
      assert.equal(answer.headers['cache-control'], 'no-cache', `${path}: revalidated at each visit`);
      assert.equal(seen.at(-1)!.headers['x-forwarded-host'], 'lgsp.example.gov.vn');
      assert.ok(seen.at(-1)!.headers['x-request-id']);
    }
  });

  it('caches /portal/assets/ for a year (immutable), a missing asset not at all, and sets no HSTS over plain HTTP', async () => {
    const asset = await fetch(`${ingress.url}/portal/assets/index-BJz0ulIn.js`);
    assert.equal(asset.status, 200);
    assert.equal(await asset.text(), 'export {};\n');
    assert.equal(seen.at(-1)!.url, '/portal/assets/index-BJz0ulIn.js');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('strict-transport-security'), null);
    const missing = await fetch(`${ingress.url}/portal/assets/missing.js`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-cache');
    // GraphQL is still the gateways', unbuffered.
    const graphql = await fetch(`${ingress.url}/graphql?query=%7B__typename%7D`);
    assert.equal(((await graphql.json()) as { url: string }).url, '/graphql?query=%7B__typename%7D');
  });
});
