/**
 * Who is calling, from a verified Keycloak access token: an agency system (client credentials, the token of its
 * service-account user), a civil servant (authorization code via the portal), or a citizen / business representative
 * signed in through VDXP (role `citizen`, claims `personal_id`, `enterprise_code`, `acr`). The principal travels to
 * the subgraphs inside the gateway's internal token (federation/subgraph-data-source.ts).
 */
import { ANONYMOUS, ErrorCode, LgspError, Role, type Environment, type Principal } from '@lgsp/kit';
import type { JWTPayload } from 'jose';
import { AuthenticationError } from './authentication-error.ts';

/** Keycloak names the service-account user of client `x` `service-account-x`. */
const SERVICE_ACCOUNT_PREFIX = 'service-account-';

/**
 * The claim a test credential carries (a hardcoded-claim protocol mapper on the Keycloak client): `"test"`. A
 * production credential carries none; the claim has no other accepted value, so a typo or a mapper set to
 * `"production"` is refused instead of silently reading production data.
 */
export const ENVIRONMENT_CLAIM = 'lgsp_environment';

/**
 * The environment of a verified token's credential: undefined (production) without the claim, `test` with
 * `lgsp_environment: "test"`; any other value (`"production"`, `"TEST"`, a number, …) throws AuthenticationError
 * `environment`.
 */
export function environmentFromClaims(claims: JWTPayload): Environment | undefined {
  const value = claims[ENVIRONMENT_CLAIM];
  if (value === undefined) return undefined;
  if (value === 'test') return 'test';
  throw new AuthenticationError(
    'environment',
    `Token ${ENVIRONMENT_CLAIM} claim must be test (a test credential) or absent (a production credential); this credential is misconfigured`,
  );
}

/** The claims VDXP vouches for, mapped into the realm's tokens for the portal (the `vdxp` identity provider). */
export const CITIZEN_CLAIMS = { personalId: 'personal_id', enterpriseCode: 'enterprise_code', assuranceLevel: 'acr' } as const;

/** Số định danh cá nhân: exactly 12 digits. */
const PERSONAL_ID = /^\d{12}$/;
/** Mã số doanh nghiệp: 10 digits, or 10 digits and -NNN for a branch (the national-data rule). */
const ENTERPRISE_CODE = /^\d{10}(-\d{3})?$/;
/** `acr` values are short tokens (`1`, `2`, `substantial`, a URI-like name); anything longer is a misconfigured mapper. */
const ASSURANCE_LEVEL = /^[\x21-\x7e]{1,64}$/;

/**
 * The identity of a citizen token (role `citizen`): its `personal_id` (required, 12 digits), `enterprise_code`
 * (optional: a business representative's), `acr` (optional, a string or a number, kept as a string). A citizen acts
 * for no agency: a citizen token that carries `agency_code`, or that belongs to a service account, is refused.
 * Throws AuthenticationError (`personal_id`, `enterprise_code`, `assurance_level`, `citizen_agency`); the
 * descriptions never quote a claim's value (personal data).
 */
export function citizenIdentityFromClaims(claims: JWTPayload, system: boolean): { personalId: string; enterpriseCode?: string; assuranceLevel?: string } {
  if (system || claims.agency_code !== undefined) {
    throw new AuthenticationError(
      'citizen_agency',
      'A citizen token must not belong to a service account or carry agency_code: a citizen acts for no agency; this account is misconfigured',
    );
  }
  const personalId = claims[CITIZEN_CLAIMS.personalId];
  if (typeof personalId !== 'string' || !PERSONAL_ID.test(personalId)) {
    throw new AuthenticationError(
      'personal_id',
      personalId === undefined
        ? 'A citizen token must carry the personal_id claim (so dinh danh ca nhan, 12 digits) vouched for by VDXP; sign in again through VDXP'
        : 'The personal_id claim of a citizen token must be exactly 12 digits (so dinh danh ca nhan); this identity provider mapping is misconfigured',
    );
  }
  const identity: { personalId: string; enterpriseCode?: string; assuranceLevel?: string } = { personalId };
  const enterpriseCode = claims[CITIZEN_CLAIMS.enterpriseCode];
  if (enterpriseCode !== undefined && enterpriseCode !== '') {
    if (typeof enterpriseCode !== 'string' || !ENTERPRISE_CODE.test(enterpriseCode)) {
      throw new AuthenticationError(
        'enterprise_code',
        'The enterprise_code claim must be an enterprise code (ma so doanh nghiep: 10 digits, optionally -NNN for a branch) or absent',
      );
    }
    identity.enterpriseCode = enterpriseCode;
  }
  const acr = claims[CITIZEN_CLAIMS.assuranceLevel];
  if (acr !== undefined) {
    const level = typeof acr === 'number' && Number.isInteger(acr) && acr >= 0 ? String(acr) : acr;
    if (typeof level !== 'string' || !ASSURANCE_LEVEL.test(level)) {
      throw new AuthenticationError('assurance_level', 'The acr claim (assurance level) must be a short string or a whole number, or absent');
    }
    identity.assuranceLevel = level;
  }
  return identity;
}

/** The header a request declares its purpose of use in (e.g. a dossier number: số hồ sơ). */
export const PURPOSE_HEADER = 'x-lgsp-purpose';
export const MAX_PURPOSE_LENGTH = 200;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function roleList(value: unknown): string[] {
  const roles = (value as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/**
 * The principal of a verified access token. Roles are the realm roles plus the roles of the gateway's own client
 * (`resource_access[audience]`); scopes are the `scope` claim split on spaces; the environment comes from
 * `lgsp_environment` (environmentFromClaims: throws AuthenticationError for a value other than `test`). A token with
 * role `citizen` gets `personalId`, `enterpriseCode`, `assuranceLevel` (citizenIdentityFromClaims: throws for a
 * missing or malformed personal ID, a malformed enterprise code or assurance level, or an agency); other tokens'
 * citizen claims are ignored: they mean something only under the self-access policy, which is the citizen role's.
 */
export function principalFromClaims(claims: JWTPayload, audience: string): Principal {
  const username = text(claims.preferred_username);
  const clientId = text(claims.azp) ?? text(claims.client_id);
  const system = username?.startsWith(SERVICE_ACCOUNT_PREFIX) === true;
  const resourceAccess = claims.resource_access as Record<string, unknown> | undefined;
  const roles = [...new Set([...roleList(claims.realm_access), ...roleList(resourceAccess?.[audience])])];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
  const principal: Principal = { kind: system ? 'system' : 'user', roles, scopes };
  const agencyCode = text(claims.agency_code);
  if (agencyCode !== undefined) principal.agencyCode = agencyCode;
  // A system is identified by its system_id mapper, or else by its client id; a user carries the system_id of
  // the application they act through (the portal), which audit records keep.
  const systemId = text(claims.system_id) ?? (system ? clientId : undefined);
  if (systemId !== undefined) principal.systemId = systemId;
  if (!system) principal.userId = claims.sub!;
  if (clientId !== undefined) principal.clientId = clientId;
  if (username !== undefined) principal.username = username;
  const tokenId = text(claims.jti);
  if (tokenId !== undefined) principal.tokenId = tokenId;
  const environment = environmentFromClaims(claims);
  if (environment !== undefined) principal.environment = environment;
  if (roles.includes(Role.citizen)) Object.assign(principal, citizenIdentityFromClaims(claims, system));
  return principal;
}

/**
 * Why a declared purpose was refused, in `LgspError.details.reason` (the message says the same to a person):
 * REPEATED (several headers), EMPTY, NOT_ASCII (a raw byte outside printable ASCII: Vietnamese must be
 * percent-encoded), MALFORMED_ESCAPE (a `%` not followed by two hex digits), NOT_UTF8 (the escapes decode to bytes
 * that are not UTF-8), CONTROL_CHARACTER (the decoded text holds a control, format or line-separator character),
 * TOO_LONG (more than MAX_PURPOSE_LENGTH characters once decoded).
 */
export type PurposeRejection = 'REPEATED' | 'EMPTY' | 'NOT_ASCII' | 'MALFORMED_ESCAPE' | 'NOT_UTF8' | 'CONTROL_CHARACTER' | 'TOO_LONG';

/** A decoded character is at most 4 UTF-8 bytes, each `%XX`: the longest value worth decoding. */
const MAX_ENCODED_PURPOSE_LENGTH = MAX_PURPOSE_LENGTH * 12;

/** Characters a purpose may not hold once decoded: controls (C0, DEL, C1), format characters (bidi overrides, zero-width), line and paragraph separators. */
const FORBIDDEN_DECODED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function rejectPurpose(reason: PurposeRejection, message: string): never {
  throw new LgspError(ErrorCode.BAD_USER_INPUT, message, { reason: `PURPOSE_${reason}` });
}

/**
 * The declared purpose of use (`<category>:<reference>`, e.g. `public-service:HS-2026-000123`), validated and
 * decoded. One rule for the X-LGSP-Purpose header and for graphql-ws `connectionParams["x-lgsp-purpose"]`, so a
 * client (GraphiQL's Headers tab, say) sends the same string in both: the value is printable ASCII in which
 * `%XX` escapes are percent-encoded UTF-8 (RFC 3986, what `encodeURIComponent` writes; `+` is a plus, not a
 * space), so a purpose may be written in Vietnamese — `Hồ sơ 123` is sent as `H%E1%BB%93%20s%C6%A1%20123`.
 * HTTP header values are bytes that Node reads as Latin-1, so raw UTF-8 there would arrive garbled; it is refused,
 * and the same raw text is refused in connectionParams rather than read in a second way. The decoded text is
 * NFC-normalised (the form Vietnamese keyboards do not all produce), trimmed, 1–MAX_PURPOSE_LENGTH characters,
 * without control or format characters. Throws LgspError BAD_USER_INPUT with `details.reason`
 * `PURPOSE_<PurposeRejection>` and a message that says what to send; undefined when absent.
 */
export function purposeFrom(values: string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) rejectPurpose('REPEATED', 'Send X-LGSP-Purpose once (several headers were sent)');
  const sent = values[0]!.trim();
  if (sent === '') rejectPurpose('EMPTY', 'X-LGSP-Purpose is empty; declare the purpose of use, e.g. a dossier number');
  const raw = /[^\x20-\x7e]/.exec(sent);
  if (raw !== null) {
    rejectPurpose(
      'NOT_ASCII',
      `X-LGSP-Purpose must be printable ASCII (character ${raw.index + 1} is not); write other text percent-encoded as UTF-8 (encodeURIComponent), e.g. Hồ sơ → H%E1%BB%93%20s%C6%A1`,
    );
  }
  if (sent.length > MAX_ENCODED_PURPOSE_LENGTH) {
    rejectPurpose('TOO_LONG', `X-LGSP-Purpose is ${sent.length} characters long as sent; at most ${MAX_PURPOSE_LENGTH} characters are allowed once decoded`);
  }
  const badEscape = /%(?![0-9A-Fa-f]{2})/.exec(sent);
  if (badEscape !== null) {
    rejectPurpose(
      'MALFORMED_ESCAPE',
      `X-LGSP-Purpose has a malformed percent escape at character ${badEscape.index + 1} ("${sent.slice(badEscape.index, badEscape.index + 3)}"): % must be followed by two hex digits (a literal % is %25)`,
    );
  }
  let decoded: string;
  try {
    decoded = sent.includes('%') ? utf8.decode(percentDecodedBytes(sent)) : sent;
  } catch {
    rejectPurpose('NOT_UTF8', 'X-LGSP-Purpose: its percent escapes do not decode to UTF-8 text; percent-encode the UTF-8 bytes (encodeURIComponent)');
  }
  const value = decoded.normalize('NFC').trim();
  if (value === '') rejectPurpose('EMPTY', 'X-LGSP-Purpose is empty once decoded; declare the purpose of use, e.g. a dossier number');
  const forbidden = FORBIDDEN_DECODED.exec(value);
  if (forbidden !== null) {
    const codePoint = `U+${forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    rejectPurpose(
      'CONTROL_CHARACTER',
      `X-LGSP-Purpose holds a control character (${codePoint}, character ${[...value.slice(0, forbidden.index)].length + 1} once decoded)`,
    );
  }
  const length = [...value].length;
  if (length > MAX_PURPOSE_LENGTH) rejectPurpose('TOO_LONG', `X-LGSP-Purpose is ${length} characters long; at most ${MAX_PURPOSE_LENGTH} are allowed`);
  return value;
}

/** The bytes of printable ASCII with `%XX` escapes (already checked to be well-formed). */
function percentDecodedBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

/** The principal the authentication middleware stored for this request (anonymous when it stored none). */
export function principalOf(locals: Record<string, unknown>): Principal {
  return (locals.principal as Principal | undefined) ?? ANONYMOUS;
}
