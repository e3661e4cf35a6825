/**
 * Steps 1-2 of the exchange (R4): a source asks for an exchange space. The request is checked whole (title,
 * protocol, digest, size, schema, policy, recipients from the agency directory) before anything is stored, then the
 * packet is recorded REQUESTED with its deliveries PENDING and the caller gets a signed upload URL. Content given
 * inline is decoded and checked here too, and stored at once as step 3 (`Uploads.storeContent`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { requireAgency } from './access.ts';
import { assertBatchSize, settleEach } from './batch.ts';
import { grantNamespace, isoTime, type Caller, type ExchangeDeps, type ExchangeSpace, type RequestExchangeInput } from './exchange-api.ts';
import { exchangeError } from './exchange-errors.ts';
import { firstSweepAt } from './lifecycle.ts';
import type { RouteRefusal } from './agency-directory.ts';
import type { Packet } from './types.ts';
import type { Uploads } from './upload.ts';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** Base64 of RFC 4648 §4 with its padding (Buffer.from would skip anything else silently). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class ExchangeRequests {
  constructor(
    private readonly deps: ExchangeDeps,
    private readonly uploads: Uploads,
  ) {}

  /** `sequence`: the packet's number when the caller reserved it (a batch reserves one block for all its items). */
  async requestExchange(caller: Caller, input: RequestExchangeInput, sequence?: number): Promise<ExchangeSpace> {
    const { settings, directory } = this.deps;
    const source = requireAgency(caller);
    const sender = await directory.get(source);
    if (sender === null) throw exchangeError(ErrorCode.FORBIDDEN, 'SOURCE_NOT_REGISTERED', `agency ${source} is not registered for exchanges`);
    if (sender.status !== 'ACTIVE') {
      throw exchangeError(ErrorCode.FORBIDDEN, 'SOURCE_NOT_ACTIVE', `agency ${source} is ${sender.status} in the registry and may no longer send packets`, {
        successorCodes: sender.successorCodes,
      });
    }
    const title = input.title.trim();
    if (title === '' || title.length > 500) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'title must be 1 to 500 characters', { field: 'title' });
    const protocol = input.protocol.trim();
    if (protocol === '' || protocol.length > 100) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'protocol must be 1 to 100 characters', { field: 'protocol' });
    if (!SHA256_HEX.test(input.sha256))
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'sha256 must be 64 hexadecimal characters (SHA-256 of the content)', { field: 'sha256' });
    if (!Number.isInteger(input.declaredBytes) || input.declaredBytes < 0) {
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'declaredBytes must be a non-negative integer', { field: 'declaredBytes' });
    }
    if (input.declaredBytes > settings.maxPacketBytes) {
      throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `declaredBytes ${input.declaredBytes} exceeds the limit of ${settings.maxPacketBytes} bytes`, {
        field: 'declaredBytes',
        limit: settings.maxPacketBytes,
      });
    }
    const schemaId = input.schemaId ?? null;
    if (schemaId !== null) {
      if (input.dataType !== 'JSON' && input.dataType !== 'DOSSIER')
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'schemaId applies to JSON and DOSSIER packets only', { field: 'schemaId' });
      if (!this.deps.schemas.has(schemaId))
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `no JSON schema is registered as "${schemaId}"`, { field: 'schemaId' });
    }

    const now = this.deps.now();
    const policyIn = input.policy ?? {};
    let deadlineMs = now + settings.defaultDeadlineMs;
    if (policyIn.deadline !== undefined && policyIn.deadline !== null) {
      deadlineMs = Date.parse(policyIn.deadline);
      if (Number.isNaN(deadlineMs))
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.deadline must be an ISO 8601 date-time', { field: 'policy.deadline' });
      if (deadlineMs <= now) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.deadline is in the past', { field: 'policy.deadline' });
      if (deadlineMs > now + settings.maxDeadlineMs) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `policy.deadline is more than ${Math.round(settings.maxDeadlineMs / 3_600_000)} hours ahead`, {
          field: 'policy.deadline',
        });
      }
    }
    const maxAttempts = policyIn.maxAttempts ?? settings.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.maxAttempts must be 1 to 100', { field: 'policy.maxAttempts' });
    const maxOfflineMs =
      policyIn.maxOfflineSeconds === undefined || policyIn.maxOfflineSeconds === null ? settings.defaultMaxOfflineMs : policyIn.maxOfflineSeconds * 1000;
    if (!Number.isFinite(maxOfflineMs) || maxOfflineMs <= 0)
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.maxOfflineSeconds must be > 0', { field: 'policy.maxOfflineSeconds' });

    // Content given inline is checked whole before anything is stored: a refused request leaves nothing behind.
    const inline =
      input.content === undefined || input.content === null ? null : this.decodeInline(input.content, input.declaredBytes, input.sha256.toLowerCase());

    const recipients = await this.resolveRecipients(source, input.recipients, input.dataType);

    const id = randomUUID();
    const attempt = inline === null ? null : randomUUID().slice(0, 8);
    const spaceExpiresMs = Math.min(now + settings.spaceTtlMs, deadlineMs);
    const createdAt = isoTime(now);
    const packet: Packet = {
      id,
      sourceAgency: source,
      sourceSystem: caller.systemId,
      title,
      priority: input.priority,
      dataType: input.dataType,
      protocol,
      schemaId,
      policy: {
        deadline: isoTime(deadlineMs),
        maxAttempts,
        acknowledgementRequired: policyIn.acknowledgementRequired ?? true,
        notifySourceOnFailure: policyIn.notifySourceOnFailure ?? true,
        maxOfflineMs,
      },
      declaredBytes: input.declaredBytes,
      sha256: input.sha256.toLowerCase(),
      state: 'REQUESTED',
      createdAt,
      spaceExpiresAt: isoTime(spaceExpiresMs),
      uploadAttempts: attempt === null ? [] : [attempt],
      contentAttempt: null,
      contentDeleted: false,
      rejection: null,
      edxml: null,
      deliveries: recipients.map((agencyCode) => ({
        agencyCode,
        status: 'PENDING',
        attempts: 0,
        queueEntryId: null,
        queuedAt: null,
        claimedAt: null,
        claimedBy: null,
        deliveredAt: null,
        updatedAt: createdAt,
      })),
      documentStatuses: [],
      sequence: sequence ?? (await this.deps.packets.nextSequence()),
    };
    // The sweep's first look: soon, to resume a packet that a stopped process left half-way (most are delivered
    // before it and never looked at); never later than the space's expiry or the first offline check.
    await this.deps.packets.create(
      packet,
      [{ status: 'REQUESTED', at: createdAt, recipient: null, detail: `${recipients.length} recipient(s)` }],
      firstSweepAt(now, spaceExpiresMs, maxOfflineMs),
    );
    this.deps.metrics.packets.inc({ event: 'requested' });
    const token = this.deps.urls.sign({ action: 'upload', packetId: id, expiresAtMs: spaceExpiresMs, ...grantNamespace(this.deps.environment) });
    const space = {
      id,
      uploadUrl: `${settings.publicBaseUrl()}/exchange/spaces/${id}/content?token=${token}`,
      expiresAt: packet.spaceExpiresAt,
      maxBytes: input.declaredBytes,
      packet,
    };
    if (inline === null || attempt === null) return space;
    // Step 3 at once, as an upload of these bytes would go (the space is then closed: a PUT answers SPACE_CLOSED).
    const stored = await this.uploads.storeContent(packet, attempt, [inline]);
    if (stored.state === 'REJECTED' && stored.rejection !== null) {
      throw exchangeError(
        ErrorCode.BAD_USER_INPUT,
        'CONTENT_REJECTED',
        `the content was refused (${stored.rejection.code}): ${stored.rejection.message}; nothing was kept`,
        {
          field: 'content',
          packetId: id,
          rejection: stored.rejection,
        },
      );
    }
    return { ...space, packet: stored };
  }

  /** Several exchange requests in one call; each answer is the space or the error that request alone would have given. */
  async requestExchanges(caller: Caller, inputs: RequestExchangeInput[]): Promise<Array<ExchangeSpace | LgspError>> {
    requireAgency(caller);
    assertBatchSize(inputs.length, 'inputs');
    const first = inputs.length === 0 ? 0 : await this.deps.packets.nextSequence(inputs.length);
    return settleEach(
      inputs.map((input, i) => this.requestExchange(caller, input, first + i)),
      this.deps.logger,
    );
  }

  /** The bytes of inline content, refused with a precise error unless they are base64 of exactly what was declared. */
  private decodeInline(text: string, declaredBytes: number, declaredSha256: string): Buffer {
    const limit = this.deps.settings.inlineMaxBytes;
    const tooLarge = () =>
      exchangeError(
        ErrorCode.LIMIT_EXCEEDED,
        'INLINE_TOO_LARGE',
        limit === 0
          ? 'this relay takes no inline content: PUT it to the uploadUrl'
          : `inline content is limited to ${limit} bytes: PUT larger content to the uploadUrl of a request without content`,
        { field: 'content', limit },
      );
    if (limit === 0 || text.length > Math.ceil(limit / 3) * 4) throw tooLarge();
    if (text.length % 4 !== 0 || !BASE64.test(text))
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'CONTENT_NOT_BASE64', 'content must be base64 (RFC 4648, padded with =)', { field: 'content' });
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length > limit) throw tooLarge();
    if (bytes.length !== declaredBytes) {
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SIZE_MISMATCH', `content holds ${bytes.length} bytes, declaredBytes says ${declaredBytes}`, {
        field: 'content',
      });
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== declaredSha256) {
      this.deps.metrics.uploadsRefused.inc({ reason: 'digest' });
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', `the content's SHA-256 is ${actual}, the request declared ${declaredSha256}`, {
        field: 'content',
      });
    }
    return bytes;
  }

  /**
   * The recipients named by agency codes, a parent's units and a search (their union), checked against the directory:
   * a named agency that may not receive this data type from the source refuses the request (its reason in
   * `extensions.reason` and per agency in `extensions.refused`); a unit found under the parent or by the search that
   * may not receive is left out (the request names "the units I may send to"), and refuses it only when none is left.
   */
  private async resolveRecipients(source: string, spec: RequestExchangeInput['recipients'], dataType: string): Promise<string[]> {
    const { directory, settings, environment } = this.deps;
    const named = new Set<string>();
    const unknown: string[] = [];
    for (const code of spec.agencyCodes ?? []) {
      if ((await directory.get(code)) === null) unknown.push(code);
      else named.add(code);
    }
    if (unknown.length > 0)
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'RECIPIENT_UNKNOWN', `unknown recipient agency code(s): ${unknown.join(', ')}`, {
        unknownAgencyCodes: unknown,
      });
    const found = new Set<string>();
    if (spec.parentCode !== undefined && spec.parentCode !== null) {
      if ((await directory.get(spec.parentCode)) === null)
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'RECIPIENT_UNKNOWN', `unknown parent agency code ${spec.parentCode}`, { field: 'recipients.parentCode' });
      for (const child of await directory.children(spec.parentCode)) if (child.code !== source) found.add(child.code);
    }
    if (spec.search !== undefined && spec.search !== null) {
      if (spec.search.trim().length < 2 || spec.search.length > 100)
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'recipients.search must be 2 to 100 characters', { field: 'recipients.search' });
      for (const match of await directory.search(spec.search, settings.maxRecipients + 1)) if (match.code !== source) found.add(match.code);
    }
    if (named.has(source)) throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SAME_AGENCY', 'an agency cannot send a packet to itself', { field: 'recipients' });

    // Named agencies: each may receive, or the request is refused naming why.
    const refused: Array<{ agencyCode: string; reason: RouteRefusal; successorCodes?: string[] }> = [];
    for (const code of named) {
      const reason = await directory.refusal(source, code, dataType, environment);
      if (reason === null) continue;
      const successors = reason === 'RECIPIENT_NOT_ACTIVE' ? ((await directory.get(code))?.successorCodes ?? []) : [];
      refused.push({ agencyCode: code, reason, ...(successors.length > 0 && { successorCodes: successors }) });
    }
    // Units found: those that may not receive are left out.
    const leftOut: Array<{ agencyCode: string; reason: RouteRefusal }> = [];
    for (const code of found) {
      if (named.has(code)) continue;
      const reason = await directory.refusal(source, code, dataType, environment);
      if (reason !== null) {
        found.delete(code);
        leftOut.push({ agencyCode: code, reason });
      }
    }
    if ([...refused, ...leftOut].some((r) => r.reason === 'DATA_TYPE_NOT_ALLOWED') && (refused.length > 0 || (found.size === 0 && named.size === 0))) {
      throw exchangeError(
        ErrorCode.FORBIDDEN,
        'DATA_TYPE_NOT_ALLOWED',
        `agency ${source} may not send ${dataType} packets in the ${environment} environment: it has no access request in force for a ${dataType} service of the registry`,
        { field: 'dataType', dataType, environment },
      );
    }
    if (refused.length > 0) {
      const reasons = new Set(refused.map((r) => r.reason));
      const reason = reasons.size === 1 ? refused[0]!.reason : 'RECIPIENT_NOT_ALLOWED';
      const detail = refused.map((r) => `${r.agencyCode} (${r.reason}${r.successorCodes ? `; successors ${r.successorCodes.join(', ')}` : ''})`).join(', ');
      throw exchangeError(
        ErrorCode.FORBIDDEN,
        reason,
        `agency(ies) ${detail} may not receive ${dataType} packets from ${source} in the ${environment} environment`,
        {
          refusedAgencyCodes: refused.map((r) => r.agencyCode),
          refused,
        },
      );
    }
    for (const code of named) found.add(code);
    if (found.size === 0 && leftOut.length > 0) {
      throw exchangeError(
        ErrorCode.FORBIDDEN,
        'RECIPIENT_NOT_ALLOWED',
        `none of the ${leftOut.length} unit(s) found may receive ${dataType} packets from ${source} in the ${environment} environment`,
        { field: 'recipients', refusedAgencyCodes: leftOut.map((r) => r.agencyCode), refused: leftOut },
      );
    }
    if (found.size === 0)
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'no recipient: give agencyCodes, a parentCode with units under it, or a search that matches', {
        field: 'recipients',
      });
    if (found.size > settings.maxRecipients)
      throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `${found.size} recipients exceed the limit of ${settings.maxRecipients}`, {
        limit: settings.maxRecipients,
      });
    return [...found].sort();
  }
}
