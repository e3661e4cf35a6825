/**
 * Civil servants' single sign-on (đăng nhập một lần cho cán bộ, công chức, BG:12): an agency registers each of its
 * applications — name, login URL, logout URL, redirect URIs — and gets one confidential Keycloak client for it (its
 * secret shown once); its civil servants then open it from the portal's launcher (`myApplications`) already signed in.
 *
 * The URLs are checked strictly, each failure INVALID_APPLICATION_URL naming the argument and the reason: absolute,
 * https (http only on localhost / 127.0.0.1 / [::1], and only outside production), no user name or password, no
 * fragment, no wildcard, at most 2000 characters; the login and logout URLs on the origin of one of the redirect URIs.
 *
 * A registration creates the client, then writes the record; if the write fails the client is deleted again. A
 * removal disables the client, writes the record (kept, marked removed, for the history), then deletes the client; if
 * the write fails the client is enabled again, and if only the deletion fails the client stays disabled (an
 * error-level log names it). Every change is in the change log (entity `AgencyApplication`), and so in the audit.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { ApplicationClients } from '../ports/application-clients.ts';
import { actsForAgency, type Caller } from './caller.ts';
import type { AgencyApplication } from './model.ts';
import { stamped, type RegistryCore } from './registry-core.ts';
import { checkAgencyCode, checkText } from './validation.ts';

export interface NewAgencyApplication {
  agencyCode: string;
  name: string;
  description?: string | null;
  loginUrl: string;
  logoutUrl: string;
  redirectUris: string[];
}

export interface UrlRules {
  /** http on a loopback host is accepted (development, tests); never in production. */
  allowLoopbackHttp: boolean;
}

export const MAX_REDIRECT_URIS = 20;
const MAX_URL_LENGTH = 2000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function invalidUrl(argument: string, value: string, vi: string, en: string): LgspError {
  return new LgspError(ErrorCode.INVALID_APPLICATION_URL, `${argument}: ${vi} (${en}): "${value.slice(0, 200)}"`, { argument, reason: en });
}

/** One URL of an application, or INVALID_APPLICATION_URL saying what is wrong with it. */
export function checkApplicationUrl(value: string, argument: string, rules: UrlRules): URL {
  if (value.length > MAX_URL_LENGTH) throw invalidUrl(argument, value, `dài quá ${MAX_URL_LENGTH} ký tự`, `longer than ${MAX_URL_LENGTH} characters`);
  if (/[\s\u0000-\u001f\u007f]/.test(value))
    throw invalidUrl(argument, value, 'có khoảng trắng hoặc ký tự điều khiển', 'contains white space or control characters');
  if (value.includes('*')) throw invalidUrl(argument, value, 'không được dùng ký tự đại diện *', 'wildcards (*) are not accepted: give each URI exactly');
  if (!URL.canParse(value)) throw invalidUrl(argument, value, 'không phải URL tuyệt đối', 'not an absolute URL');
  const url = new URL(value);
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol === 'http:') {
    if (!loopback) throw invalidUrl(argument, value, 'phải dùng https', 'must be https (http only on localhost in development)');
    if (!rules.allowLoopbackHttp) throw invalidUrl(argument, value, 'phải dùng https (http localhost chỉ dùng khi phát triển)', 'must be https in production');
  } else if (url.protocol !== 'https:') {
    throw invalidUrl(argument, value, 'phải dùng https', `must be https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '')
    throw invalidUrl(argument, value, 'không được chứa tên đăng nhập hay mật khẩu', 'must not carry a user name or password');
  if (value.includes('#')) throw invalidUrl(argument, value, 'không được có phần #fragment', 'must not have a fragment (#…)');
  return url;
}

/** The application's name, description and URLs, checked (see the module comment). */
export function checkApplication(input: NewAgencyApplication, rules: UrlRules): Omit<NewAgencyApplication, 'description'> & { description: string | null } {
  const name = checkText(input.name, 'name', 200);
  const description = input.description?.trim() ? checkText(input.description, 'description', 2000) : null;
  if (input.redirectUris.length === 0) {
    throw new LgspError(ErrorCode.INVALID_APPLICATION_URL, 'redirectUris: cần ít nhất một địa chỉ chuyển hướng (name at least one redirect URI)', {
      argument: 'redirectUris',
      reason: 'name at least one redirect URI',
    });
  }
  if (input.redirectUris.length > MAX_REDIRECT_URIS) {
    throw new LgspError(ErrorCode.INVALID_APPLICATION_URL, `redirectUris: tối đa ${MAX_REDIRECT_URIS} địa chỉ (at most ${MAX_REDIRECT_URIS})`, {
      argument: 'redirectUris',
      reason: `at most ${MAX_REDIRECT_URIS} redirect URIs`,
    });
  }
  const redirects = input.redirectUris.map((uri, i) => checkApplicationUrl(uri, `redirectUris[${i}]`, rules));
  const duplicate = input.redirectUris.findIndex((uri, i) => input.redirectUris.indexOf(uri) !== i);
  if (duplicate >= 0) throw invalidUrl(`redirectUris[${duplicate}]`, input.redirectUris[duplicate]!, 'bị lặp', 'is given twice');
  const origins = new Set(redirects.map((u) => u.origin));
  for (const argument of ['loginUrl', 'logoutUrl'] as const) {
    const url = checkApplicationUrl(input[argument], argument, rules);
    if (!origins.has(url.origin)) {
      throw invalidUrl(
        argument,
        input[argument],
        'phải cùng nguồn gốc (origin) với một địa chỉ chuyển hướng',
        `must be on the origin of a redirect URI (${[...origins].join(', ')})`,
      );
    }
  }
  return { agencyCode: input.agencyCode, name, description, loginUrl: input.loginUrl, logoutUrl: input.logoutUrl, redirectUris: [...input.redirectUris] };
}

const byName = (a: AgencyApplication, b: AgencyApplication) => a.name.localeCompare(b.name, 'vi') || a.id.localeCompare(b.id);

export class Applications {
  constructor(
    private readonly core: RegistryCore,
    private readonly clients: ApplicationClients,
    private readonly rules: UrlRules,
  ) {}

  /** The registered applications (not removed): the operator any agency's (or one's), an agency's administrator its own. */
  async list(caller: Caller, agencyCode: string | null): Promise<AgencyApplication[]> {
    const agency = agencyCode ?? (caller.operator ? null : caller.agencyCode);
    if (!caller.operator && (agency === null || !actsForAgency(caller, agency))) {
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        `Chỉ quản trị viên của cơ quan xem được các ứng dụng của cơ quan (only the operator or an administrator of ${agency ?? 'the agency'} lists its applications)`,
      );
    }
    return (await this.core.store.list('applications')).filter((a) => a.removed === null && (agency === null || a.agencyCode === agency)).sort(byName);
  }

  /** The single sign-on launcher: a person of an agency (not a citizen, not a system) gets its enabled applications. */
  async mine(caller: Caller): Promise<AgencyApplication[]> {
    if (caller.actor.kind !== 'user' || caller.citizen || caller.agencyCode === null) {
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        'Chỉ cán bộ, công chức của cơ quan có ứng dụng đăng nhập một lần (only civil servants of an agency have single sign-on applications)',
      );
    }
    const agency = caller.agencyCode;
    return (await this.core.store.list('applications')).filter((a) => a.agencyCode === agency && a.enabled && a.removed === null).sort(byName);
  }

  /** Registers an application and creates its Keycloak client; the secret is in the answer only. */
  async register(caller: Caller, input: NewAgencyApplication): Promise<{ application: AgencyApplication; clientSecret: string }> {
    const agencyCode = checkAgencyCode(input.agencyCode, 'agencyCode');
    if (!actsForAgency(caller, agencyCode)) {
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        `Chỉ quản trị viên của cơ quan ${agencyCode} hoặc đơn vị vận hành được đăng ký ứng dụng (only the operator or an administrator of ${agencyCode} registers its applications)`,
      );
    }
    const agency = await this.core.get('agencies', agencyCode, 'agency');
    if (agency.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `agency ${agencyCode} is ${agency.status}`);
    const checked = checkApplication({ ...input, agencyCode }, this.rules);
    const taken = (await this.core.store.list('applications')).find(
      (a) => a.agencyCode === agencyCode && a.removed === null && a.name.toLocaleLowerCase('vi') === checked.name.toLocaleLowerCase('vi'),
    );
    if (taken !== undefined)
      throw new LgspError(ErrorCode.ALREADY_EXISTS, `${agencyCode} already has an application named "${taken.name}" (${taken.id})`, { argument: 'name' });
    const hex = randomUUID().replace(/-/g, '');
    const id = `app-${hex.slice(0, 12)}`;
    const clientId = `${agencyCode.toLowerCase()}.sso.${hex.slice(0, 8)}`;
    const application: AgencyApplication = stamped(
      { id, ...checked, clientId, enabled: true, removed: null, revision: 0, createdAt: '', updatedAt: '' },
      this.core.now(),
      true,
    );
    let secret = '';
    await this.core.apply(
      caller,
      [
        async () => {
          ({ secret } = await this.clients.create({ clientId, ...checked }));
          return { what: `create Keycloak client ${clientId}`, undo: () => this.clients.remove(clientId) };
        },
      ],
      () => ({
        writes: [{ collection: 'applications', record: application, expectedRevision: 0 }],
        notes: [{ entity: 'AgencyApplication', entityId: id, action: 'REGISTER', before: null, after: application }],
        announcements: [],
      }),
    );
    return { application: (await this.core.store.get('applications', id))!, clientSecret: secret };
  }

  /** Removes an application: its Keycloak client is deleted; the record stays, marked removed. */
  async remove(caller: Caller, id: string, reason: string): Promise<AgencyApplication> {
    const before = await this.core.get('applications', id, 'application');
    if (!actsForAgency(caller, before.agencyCode)) {
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        `Chỉ quản trị viên của cơ quan ${before.agencyCode} hoặc đơn vị vận hành được gỡ ứng dụng (only the operator or an administrator of ${before.agencyCode} removes its applications)`,
      );
    }
    if (before.removed !== null) throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `application ${id} was removed on ${before.removed.at}`);
    const why = checkText(reason, 'reason', 500);
    const now = this.core.now();
    const after = stamped({ ...before, enabled: false, removed: { at: now.toISOString(), by: caller.name, reason: why } }, now);
    await this.core.apply(
      caller,
      [
        async () => {
          try {
            await this.clients.setEnabled(before.clientId, false);
          } catch (error) {
            // Already gone from Keycloak (deleted by hand): nothing to disable or undo.
            if (error instanceof LgspError && error.code === ErrorCode.NOT_FOUND) return null;
            throw error;
          }
          return { what: `disable Keycloak client ${before.clientId}`, undo: () => this.clients.setEnabled(before.clientId, true) };
        },
      ],
      () => ({
        writes: [{ collection: 'applications', record: after, expectedRevision: before.revision }],
        notes: [{ entity: 'AgencyApplication', entityId: id, action: 'REMOVE', before, after }],
        announcements: [],
      }),
    );
    try {
      await this.clients.remove(before.clientId);
    } catch (error) {
      // The client is disabled (it signs nobody in); an operator deletes it.
      this.core.logger.error(
        { err: error, clientId: before.clientId, application: id },
        'a removed application’s Keycloak client could not be deleted (it is disabled): delete it by hand (Clients → clientId)',
      );
    }
    return (await this.core.store.get('applications', id))!;
  }
}
