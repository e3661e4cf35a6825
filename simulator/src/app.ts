/**
 * The simulator's HTTP routes (contract: ../CONTRACT.md). Plain node:http: the surface is small and the server
 * must be able to hold a request open forever (hang injection) or close every socket at once in tests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@lgsp/kit';
import type { Dataset } from './dataset.ts';
import {
  BATCH_LIMIT,
  type CongDanBatchItem,
  type CongDanBatchResponse,
  type CongdanCollectionResponse,
  type DoanhNghiepBatchItem,
  type DoanhNghiepBatchResponse,
  type LoiResponse,
} from './contract.ts';
import { settingsInputSchema, type EndpointName, type FaultInjector } from './faults.ts';
import type { TokenStore } from './tokens.ts';
import { AGENCY_SYSTEM_STATES, type AgencySystems, type AgencySystemState } from './agency-systems.ts';
import { VDXP_PATH, type VdxpProvider } from './vdxp/provider.ts';

/** One environment of the national platform: its records, its consumer tokens, its counters and faults. */
export interface EnvironmentDeps {
  dataset: Dataset;
  faults: FaultInjector;
  tokens: TokenStore;
}

export interface AppDeps {
  /** Served at the root (`/token`, `/dancu/…`, `/_sim/…`). */
  production: EnvironmentDeps;
  /** Served under {@link TEST_ENVIRONMENT_PATH} (`/test/token`, `/test/dancu/…`, `/test/_sim/…`). */
  test: EnvironmentDeps;
  logger: Logger;
  /** Requests held open by hang injection; released (destroyed) when the server closes. */
  hanging: Set<ServerResponse>;
  /** Fake agency systems' health endpoints (agency-systems.ts). */
  agencySystems: AgencySystems;
  /** The national e-ID (VNeID/VDXP) OpenID Provider, served under /vdxp (vdxp/provider.ts). */
  vdxp?: VdxpProvider;
}

/**
 * Path prefix of the test environment: the national platform's separate test endpoint (WSO2's sandbox), with its
 * own dataset and consumer keys. A caller reaches it by taking `<simulator URL>/test` as its base URL.
 */
export const TEST_ENVIRONMENT_PATH = '/test';

/** What a route sees: one environment's parts and the shared ones. */
type RouteDeps = EnvironmentDeps & Pick<AppDeps, 'logger' | 'hanging'>;

const PERSONAL_ID = /^\d{12}$/;
const ENTERPRISE_CODE = /^\d{10}(-\d{3})?$/;
const MAX_BODY_BYTES = 64 * 1024;

export function createHandler(deps: AppDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(deps, req, res);
    } catch (error) {
      if (error instanceof BadRequest) {
        send(res, error.status, loi(error.code, error.text, error.message));
        return;
      }
      deps.logger.error({ err: error }, 'simulator request failed');
      if (!res.headersSent) send(res, 500, loi('500', 'DATA_INCORRECT', 'Internal simulator error'));
    }
  };
}

async function route(app: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const method = req.method ?? 'GET';
  // `/health/live` and `/health/ready` as every service of the platform answers them (docker-compose's healthcheck).
  if (url.pathname === '/health' || url.pathname === '/health/live' || url.pathname === '/health/ready') {
    return send(res, 200, { status: 'ok', service: 'national-platform-simulator' });
  }
  // Fake agency systems' health endpoints, for the monitoring (agency-systems.ts).
  const agencySystem = /^\/agency-systems\/([^/]+)\/health\/(live|ready)$/.exec(url.pathname);
  if (agencySystem !== null && method === 'GET') {
    const answer = app.agencySystems.answer(decodeURIComponent(agencySystem[1]!), agencySystem[2] === 'live' ? 1 : 2);
    if (answer === 'refuse') return void res.socket?.destroy();
    if (answer === 'hang') {
      app.hanging.add(res);
      res.on('close', () => app.hanging.delete(res));
      return;
    }
    return send(res, answer.status, answer.body);
  }
  // The national e-ID platform (VDXP), an OpenID Provider of its own (vdxp/provider.ts).
  if (app.vdxp !== undefined && (url.pathname === VDXP_PATH || url.pathname.startsWith(`${VDXP_PATH}/`))) {
    return app.vdxp.handle(req, res, url.pathname.slice(VDXP_PATH.length), url.searchParams);
  }
  if (url.pathname === '/_sim/agency-systems' && method === 'GET') return send(res, 200, app.agencySystems.all());
  const control = /^\/_sim\/agency-systems\/([^/]+)$/.exec(url.pathname);
  if (control !== null && method === 'PUT') {
    const body = (await readJson(req)) as { state?: unknown } | null;
    const state = body?.state;
    if (typeof state !== 'string' || !AGENCY_SYSTEM_STATES.includes(state as AgencySystemState))
      return send(res, 400, { error: `state must be one of ${AGENCY_SYSTEM_STATES.join(', ')}` });
    const systemId = decodeURIComponent(control[1]!);
    try {
      app.agencySystems.set(systemId, state as AgencySystemState);
    } catch (error) {
      return send(res, 400, { error: (error as Error).message });
    }
    return send(res, 200, { systemId, state });
  }

  // Everything else exists once per environment: the test endpoint is the same contract under its own prefix.
  const inTest = url.pathname === TEST_ENVIRONMENT_PATH || url.pathname.startsWith(`${TEST_ENVIRONMENT_PATH}/`);
  const deps: RouteDeps = { ...(inTest ? app.test : app.production), logger: app.logger, hanging: app.hanging };
  const path = inTest ? url.pathname.slice(TEST_ENVIRONMENT_PATH.length) || '/' : url.pathname;

  // Development and test controls (not part of the national platform's contract).
  if (path === '/health') return send(res, 200, { status: 'ok', service: 'national-platform-simulator' });
  if (path === '/_sim/stats' && method === 'GET') return send(res, 200, deps.faults.stats());
  if (path === '/_sim/reset' && method === 'POST') {
    deps.faults.reset();
    return send(res, 200, { status: 'reset', settings: deps.faults.current() });
  }
  if (path === '/_sim/settings' && method === 'GET') return send(res, 200, deps.faults.current());
  if (path === '/_sim/settings' && method === 'PUT') {
    const parsed = settingsInputSchema.safeParse(await readJson(req));
    if (!parsed.success)
      return send(res, 400, { error: 'invalid settings', issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
    deps.faults.replace(parsed.data);
    return send(res, 200, deps.faults.current());
  }
  if (path === '/_sim/revoke-tokens' && method === 'POST') return send(res, 200, { revoked: deps.tokens.revokeAll() });
  if (path === '/_sim/samples' && method === 'GET') {
    const count = Math.min(1000, Math.max(1, Number(url.searchParams.get('count') ?? '10') || 10));
    // ?ward=<commune code>: citizens whose permanent residence is in that commune (row-level grants are per ward).
    const ward = url.searchParams.get('ward');
    const citizens =
      ward === null ? deps.dataset.citizenIds : deps.dataset.citizenIds.filter((id) => deps.dataset.citizens.get(id)?.NoiThuongTru.MaXa === ward);
    return send(res, 200, { citizens: citizens.slice(0, count), enterprises: deps.dataset.enterpriseCodes.slice(0, count) });
  }

  // The national platform's contract.
  if (path === '/token' && method === 'POST') return endpoint(deps, 'token', req, res, () => token(deps, req));
  const citizenMatch = /^\/dancu\/1\.0\/congdan\/([^/]+)$/.exec(path);
  if (path === '/dancu/1.0/congdan/batch' && method === 'POST') return endpoint(deps, 'dancu.congdan.batch', req, res, () => citizenBatch(deps, req), true);
  if (citizenMatch !== null && method === 'GET')
    return endpoint(deps, 'dancu.congdan', req, res, async () => citizen(deps, decodeURIComponent(citizenMatch[1]!)), true);
  if (path === '/apiCSDLDKDN/1.0/chiTietDoanhNghiep/batch' && method === 'POST')
    return endpoint(deps, 'dkdn.chiTietDoanhNghiep.batch', req, res, () => enterpriseBatch(deps, req), true);
  if (path === '/apiCSDLDKDN/1.0/chiTietDoanhNghiep' && method === 'GET')
    return endpoint(deps, 'dkdn.chiTietDoanhNghiep', req, res, async () => enterprise(deps, url.searchParams.get('msdn') ?? ''), true);

  send(res, 404, loi('404', 'NOT_FOUND', `No such endpoint: ${method} ${url.pathname}`));
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/** Common path of every contract endpoint: count, inject faults and latency, check the bearer token, answer. */
async function endpoint(
  deps: RouteDeps,
  name: EndpointName,
  req: IncomingMessage,
  res: ServerResponse,
  answer: () => Promise<Answer>,
  needsBearer = false,
): Promise<void> {
  const fault = deps.faults.arrive(name);
  const latency = deps.faults.latencyFor(name);
  if (fault.kind === 'hang') {
    deps.hanging.add(res);
    res.on('close', () => deps.hanging.delete(res));
    req.resume();
    return;
  }
  if (latency > 0) await delay(latency, res);
  if (res.destroyed) return;
  let result: Answer;
  if (fault.kind === 'fail') {
    req.resume();
    result = { status: fault.status, body: loi('503', 'SERVICE_UNAVAILABLE', 'Simulated failure of the national platform') };
  } else if (needsBearer && !deps.tokens.bearerValid(req.headers.authorization)) {
    req.resume();
    // WSO2 API Manager's answer to a missing, unknown or expired access token.
    result = {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="national-platform", error="invalid_token"' },
      body: {
        fault: { code: 900901, message: 'Invalid Credentials', description: 'Access failure for API. Make sure you have given the correct access token' },
      },
    };
  } else {
    try {
      result = await answer();
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      result = { status: error.status, body: loi(error.code, error.text, error.message) };
    }
  }
  deps.faults.answered(name, result.status);
  send(res, result.status, result.body, result.headers);
}

async function token(deps: RouteDeps, req: IncomingMessage): Promise<Answer> {
  const form = new URLSearchParams(await readText(req));
  if (!deps.tokens.clientAuthenticated(req.headers.authorization)) {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="national-platform"' },
      body: { error: 'invalid_client', error_description: 'Client Authentication failed.' },
    };
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only grant_type=client_credentials is supported' } };
  }
  return { status: 200, body: deps.tokens.issue(), headers: { 'cache-control': 'no-store' } };
}

function citizen(deps: RouteDeps, personalId: string): Answer {
  deps.faults.countIds('dancu.congdan', 1);
  if (!PERSONAL_ID.test(personalId)) throw new BadRequest(400, '302', 'DATA_TYPE_INVALID', 'SoDinhDanh must be 12 digits');
  const record = deps.dataset.citizens.get(personalId);
  if (record === undefined) return { status: 404, body: loi('201', 'RECORD_NOT_FOUND', 'Không tìm thấy công dân') };
  const body: CongdanCollectionResponse = { CongdanCollection: { SoCongDan: '1', ThoiDiemDuLieu: new Date().toISOString(), CongDan: [record] } };
  return { status: 200, body };
}

async function citizenBatch(deps: RouteDeps, req: IncomingMessage): Promise<Answer> {
  const ids = batchIds(await readJson(req), 'SoDinhDanh');
  deps.faults.countIds('dancu.congdan.batch', ids.length);
  const items: CongDanBatchItem[] = ids.map((id) => {
    if (!PERSONAL_ID.test(id)) return { SoDinhDanh: id, TonTai: false, MaLoi: '302', MoTaLoi: 'DATA_TYPE_INVALID' };
    const record = deps.dataset.citizens.get(id);
    return record === undefined
      ? { SoDinhDanh: id, TonTai: false, MaLoi: '201', MoTaLoi: 'RECORD_NOT_FOUND' }
      : { SoDinhDanh: id, TonTai: true, CongDan: record };
  });
  const body: CongDanBatchResponse = { ThoiDiemDuLieu: new Date().toISOString(), SoCongDan: items.filter((i) => i.TonTai).length, KetQua: items };
  return { status: 200, body };
}

function enterprise(deps: RouteDeps, code: string): Answer {
  deps.faults.countIds('dkdn.chiTietDoanhNghiep', 1);
  if (!ENTERPRISE_CODE.test(code)) throw new BadRequest(400, '302', 'DATA_TYPE_INVALID', 'msdn must be 10 digits, optionally followed by -NNN');
  const record = deps.dataset.enterprises.get(code);
  if (record === undefined) return { status: 404, body: { ...loi('201', 'RECORD_NOT_FOUND', 'Không tìm thấy doanh nghiệp'), DataCount: 0 } };
  return { status: 200, body: record };
}

async function enterpriseBatch(deps: RouteDeps, req: IncomingMessage): Promise<Answer> {
  const codes = batchIds(await readJson(req), 'msdn');
  deps.faults.countIds('dkdn.chiTietDoanhNghiep.batch', codes.length);
  const items: DoanhNghiepBatchItem[] = codes.map((code) => {
    if (!ENTERPRISE_CODE.test(code))
      return { msdn: code, TonTai: false, Status: '0', MaLoi: '302', Message: 'msdn must be 10 digits, optionally followed by -NNN' };
    const record = deps.dataset.enterprises.get(code);
    return record === undefined
      ? { msdn: code, TonTai: false, Status: '0', MaLoi: '201', Message: 'Không tìm thấy doanh nghiệp' }
      : { msdn: code, TonTai: true, ...record };
  });
  const body: DoanhNghiepBatchResponse = { DataCount: items.filter((i) => i.TonTai).length, KetQua: items };
  return { status: 200, body };
}

function batchIds(body: unknown, field: string): string[] {
  const list = (body as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new BadRequest(400, '302', 'DATA_TYPE_INVALID', `Body must be {"${field}": ["…", …]} with 1–${BATCH_LIMIT} strings`);
  }
  if (list.length > BATCH_LIMIT) throw new BadRequest(400, '303', 'LIMIT_EXCEEDED', `At most ${BATCH_LIMIT} ids per batch (got ${list.length})`);
  return list as string[];
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: string,
    message: string,
  ) {
    super(message);
  }
}

function loi(code: string, text: string, message: string): LoiResponse {
  return { Status: '0', MaLoi: code, MoTaLoi: text, Message: message };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(413, '302', 'DATA_TYPE_INVALID', `Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  try {
    return JSON.parse(text === '' ? 'null' : text) as unknown;
  } catch {
    throw new BadRequest(400, '302', 'DATA_TYPE_INVALID', 'Body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // A client that gave up (timeout) frees the wait at once.
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
