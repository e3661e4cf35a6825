/**
 * Load generation: `wrk` (Debian package `wrk`) when installed, else autocannon — always in its own process,
 * pinned with taskset, with a fixed number of connections for a fixed time, against a loopback URL only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasTaskset, REPO_ROOT, trackChild } from './child.ts';

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  durationSeconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Socket errors, timeouts, non-200 answers, and (wrk only) 200 answers whose body has an "errors" member. */
  errors: number;
  errorDetail: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationSeconds: number;
  cpu: string;
  workDir: string;
  /** Extra request headers (e.g. Authorization and X-LGSP-Purpose for part b). */
  headers?: Record<string, string>;
}

let wrkAvailable: boolean | undefined;
export function loadTool(): 'wrk' | 'autocannon' {
  wrkAvailable ??= spawnSync('wrk', ['--version']).error === undefined;
  return wrkAvailable ? 'wrk' : 'autocannon';
}

function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost' && hostname !== '[::1]') throw new Error(`refusing to load a non-loopback URL: ${url}`);
}

function run(command: string, args: string[], cpu: string, timeoutMs: number): Promise<string> {
  const [cmd, argv] = hasTaskset() ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} exited with ${code}: ${err || out}`));
    });
  });
}

// wrk: one thread (it shares its CPU with the subgraphs), a Lua script that sends the POST body, counts non-200
// answers and answers carrying GraphQL errors, and prints one JSON line with the figures.
const luaString = (s: string) => JSON.stringify(s); // printable ASCII only (checked in runLoad)
const WRK_SCRIPT = (bodyFile: string, headers: Record<string, string>) => `
local f = assert(io.open(${luaString(bodyFile)}, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
${Object.entries(headers)
  .map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
  .join('\n')}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0; gqlErrors = 0 end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1
  elseif string.find(body, '"errors"', 1, true) then gqlErrors = gqlErrors + 1 end
end
function done(summary, latency, requests)
  local n, g = 0, 0
  for _, t in ipairs(threads) do n = n + t:get("non200"); g = g + t:get("gqlErrors") end
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"non200":%d,"graphqlErrors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout, n, g))
end
`;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  assertLoopback(options.url);
  const headers = options.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(name) || !/^[\x20-\x7e]*$/.test(value) || value.includes('"') || value.includes('\\')) {
      throw new Error(`load: header ${name} has characters the load scripts do not pass through`);
    }
  }
  const bodyFile = join(options.workDir, 'load-body.json');
  await writeFile(bodyFile, options.body);
  const timeoutMs = (options.durationSeconds + 30) * 1000;
  if (loadTool() === 'wrk') {
    const scriptFile = join(options.workDir, 'load.lua');
    await writeFile(scriptFile, WRK_SCRIPT(bodyFile, headers), { mode: 0o600 });
    const out = await run(
      'wrk',
      ['-t1', `-c${options.connections}`, `-d${options.durationSeconds}s`, '--timeout', '10s', '-s', scriptFile, options.url],
      options.cpu,
      timeoutMs,
    );
    const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (line === undefined) throw new Error(`wrk printed no summary:\n${out}`);
    const r = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
    // wrk counts non-2xx/3xx answers in `status`; our script counts every non-200 (a superset) in `non200`.
    const errorDetail = { connect: r.connect!, read: r.read!, write: r.write!, timeout: r.timeout!, non200: r.non200!, graphqlErrors: r.graphqlErrors! };
    return {
      tool: 'wrk',
      durationSeconds: r.durationUs! / 1e6,
      connections: options.connections,
      requests: r.requests!,
      requestsPerSecond: r.requests! / (r.durationUs! / 1e6),
      latencyP50Ms: r.p50Us! / 1000,
      latencyP99Ms: r.p99Us! / 1000,
      errors: Object.values(errorDetail).reduce((a, b) => a + b, 0),
      errorDetail,
    };
  }
  const out = await run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/autocannon/autocannon.js'),
      '--json',
      '-c',
      String(options.connections),
      '-d',
      String(options.durationSeconds),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]),
      '-i',
      bodyFile,
      '-t',
      '10',
      options.url,
    ],
    options.cpu,
    timeoutMs,
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    duration: number;
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  const errorDetail = { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx };
  return {
    tool: 'autocannon',
    durationSeconds: r.duration,
    connections: options.connections,
    requests: r.requests.total,
    requestsPerSecond: r.requests.total / r.duration,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    errorDetail,
  };
}
