/**
 * A real nginx running the deployment's ingress configuration (deploy/ingress/lgsp-ingress.conf.template), rendered
 * for loopback as the nginx image renders it for the compose network: the same file, other addresses. Used by
 * test/e2e/ingress.test.ts and by the benchmark's row through the ingress.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './platform.ts';

export const INGRESS_TEMPLATE = join(repoRoot, 'deploy/ingress/lgsp-ingress.conf.template');

export interface Ingress {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** nginx's master process (its workers are its children). */
  pid: number;
  close(): Promise<void>;
}

/** The nginx binary, or a failure that says what to install (never a silent skip). */
export function nginxBinary(): string {
  for (const candidate of [process.env.NGINX_BIN, 'nginx', '/usr/sbin/nginx'].filter((c): c is string => c !== undefined)) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('nginx is needed for the ingress tests: apt-get install nginx (.ci/run installs it), or set NGINX_BIN');
}

/** `${NAME}` replaced for the names given, as the nginx image's envsubst does for defined variables only. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export async function startIngress(options: { port: number; gateways: [string, string]; relay: string }): Promise<Ingress> {
  const nginx = nginxBinary();
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-ingress-'));
  // nginx's workers run as another user (nobody) when started by root: they must reach their temporary folders.
  await chmod(dir, 0o755);
  const site = renderTemplate(await readFile(INGRESS_TEMPLATE, 'utf8'), {
    GATEWAY_1: options.gateways[0],
    GATEWAY_2: options.gateways[1],
    RELAY: options.relay,
    INGRESS_PORT: `127.0.0.1:${options.port}`,
  });
  if (/\$\{[A-Z0-9_]+\}/.test(site)) throw new Error(`the ingress template names a variable startIngress does not set: ${site.match(/\$\{[A-Z0-9_]+\}/)![0]}`);
  await writeFile(join(dir, 'lgsp-ingress.conf'), site);
  // What the nginx image's own nginx.conf gives around the site: here with every path inside the temporary folder.
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind};`),
      `  include ${dir}/lgsp-ingress.conf;`,
      '}',
    ].join('\n'),
  );
  const check = spawnSync(nginx, ['-t', '-q', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx refuses the ingress configuration:\n${check.stderr}`);
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await listening(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      throw new Error(`nginx did not start listening on ${options.port}:\n${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${options.port}`,
    wsUrl: `ws://127.0.0.1:${options.port}/graphql`,
    pid: child.pid!,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT'); // graceful: workers finish their requests
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      // LGSP_KEEP_INGRESS_DIR=1 keeps the rendered configuration and nginx's error log, for a look after a failure.
      if (process.env.LGSP_KEEP_INGRESS_DIR !== '1') await rm(dir, { recursive: true, force: true });
      else process.stderr.write(`ingress files kept in ${dir}\n`);
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
