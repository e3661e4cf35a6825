/**
 * Step 4 of the exchange (R4), the check: committed content is read back once (decrypted as it streams) and checked
 * against its data type — edXML parsed and its sender matched to the source agency, JSON parsed and matched to its
 * schema. A packet that fails is REJECTED with the precise error and its content deleted; one that passes is
 * VALIDATED and handed to the `Dispatcher`. An edXML status packet records the document's status at its source.
 * `process` resumes a packet from wherever a stopped process left it (the sweeper calls it again).
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { EdxmlError, parseEdxmlStream, type EdxmlPacket } from '../edxml/index.ts';
import { ContentGoneError, readDecryptedContent, readWholeDecryptedContent } from './content-cipher.ts';
import type { Dispatcher } from './dispatch.ts';
import { isoTime, type ExchangeDeps } from './exchange-api.ts';
import { packetStateAfter } from './lifecycle.ts';
import type { Outcomes } from './outcomes.ts';
import type { EdxmlSummary, Packet, PacketRejection } from './types.ts';

export class Validation {
  constructor(
    private readonly deps: ExchangeDeps,
    private readonly dispatcher: Dispatcher,
    private readonly outcomes: Outcomes,
  ) {}

  /** Moves a packet forward from wherever it stopped (idempotent: sweeps call it again after a crash). */
  async process(packetOrId: string | Packet): Promise<Packet> {
    let packet = typeof packetOrId === 'string' ? await this.deps.packets.get(packetOrId) : packetOrId;
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${String(packetOrId)}`);
    if (packetStateAfter('validate', packet.state) !== null) packet = await this.validate(packet);
    if (packetStateAfter('queue', packet.state) !== null) packet = (await this.dispatcher.enqueue(packet)).packet;
    return packet;
  }

  private async validate(packet: Packet): Promise<Packet> {
    let rejection: PacketRejection | null = null;
    let summary: EdxmlSummary | null = null;
    let parsed: EdxmlPacket | null = null;
    try {
      const outcome = await this.check(packet);
      if ('rejection' in outcome) rejection = outcome.rejection;
      else parsed = outcome.edxml;
    } catch (error) {
      if (error instanceof ContentGoneError) rejection = { code: 'CONTENT_GONE', message: error.message, line: null, column: null, path: null };
      else throw error;
    }
    if (parsed !== null) {
      summary = summarise(parsed);
      if (summary.fromOrganId !== packet.sourceAgency) {
        rejection = {
          code: 'EDXML_FROM_MISMATCH',
          message: `From/OrganId ${summary.fromOrganId} is not the sending agency ${packet.sourceAgency}`,
          line: null,
          column: null,
          path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId',
        };
      }
    }
    if (rejection !== null) return this.reject(packet, rejection);

    const at = isoTime(this.deps.now());
    const warnings = summary !== null && summary.warnings.length > 0 ? `; warnings: ${summary.warnings.join(', ')}` : '';
    const updated = await this.deps.packets.update(
      packet.id,
      (p) => (packetStateAfter('validate', p.state) !== null ? { ...p, state: 'VALIDATED', edxml: summary } : null),
      {
        history: () => [{ status: 'VALIDATED', at, recipient: null, detail: `${packet.dataType}${warnings}` }],
      },
    );
    if (updated === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packet.id}`);
    if (!updated.changed) return updated.packet;
    if (summary?.kind === 'document' && summary.documentId !== null) await this.deps.packets.indexDocument(packet.sourceAgency, summary.documentId, packet.id);
    if (summary?.kind === 'status') await this.recordDocumentStatus(updated.packet, summary, parsed as Extract<EdxmlPacket, { kind: 'status' }>);
    return updated.packet;
  }

  /** Reads the content once (decrypting as it streams) and checks it against its data type. */
  private async check(packet: Packet): Promise<{ rejection: PacketRejection } | { edxml: EdxmlPacket | null }> {
    const { content, masterKey, schemas, settings } = this.deps;
    if (packet.dataType === 'EDXML_DOCUMENT' || packet.dataType === 'EDXML_STATUS') {
      try {
        const plaintext = readDecryptedContent(content, masterKey, packet.id, packet.contentAttempt!);
        const edxml = await parseEdxmlStream(plaintext, {
          expectedKind: packet.dataType === 'EDXML_DOCUMENT' ? 'document' : 'status',
          limits: { maxBytes: Math.max(packet.declaredBytes, 1) },
        });
        return { edxml };
      } catch (error) {
        if (!(error instanceof EdxmlError)) throw error;
        return { rejection: { code: error.code, message: error.message, line: error.line ?? null, column: error.column ?? null, path: error.path ?? null } };
      }
    }
    const schemaId = packet.schemaId ?? (schemas.has(packet.dataType) ? packet.dataType : null);
    if (packet.dataType === 'JSON' || schemaId !== null) {
      if (packet.declaredBytes > settings.jsonMaxBytes) {
        return {
          rejection: {
            code: 'JSON_TOO_LARGE',
            message: `JSON payloads are checked up to ${settings.jsonMaxBytes} bytes`,
            line: null,
            column: null,
            path: null,
          },
        };
      }
      const plaintext = await readWholeDecryptedContent(content, masterKey, packet.id, packet.contentAttempt!);
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
      } catch (error) {
        return { rejection: { code: 'JSON_INVALID', message: `not UTF-8 JSON: ${(error as Error).message}`, line: null, column: null, path: null } };
      }
      if (schemaId !== null) {
        const problem = schemas.check(schemaId, value);
        if (problem !== null)
          return {
            rejection: {
              code: 'JSON_SCHEMA_MISMATCH',
              message: `does not match schema "${schemaId}": ${problem}`,
              line: null,
              column: null,
              path: problem.split(' ')[0] ?? null,
            },
          };
      }
    }
    return { edxml: null };
  }

  /** The packet is REJECTED with its deliveries (nothing was queued yet), the source told, the content deleted. */
  private async reject(packet: Packet, rejection: PacketRejection): Promise<Packet> {
    const at = isoTime(this.deps.now());
    const where = [rejection.line !== null ? `line ${rejection.line}` : null, rejection.column !== null ? `column ${rejection.column}` : null, rejection.path]
      .filter((x) => x !== null)
      .join(', ');
    const updated = await this.deps.packets.update(
      packet.id,
      (p) =>
        packetStateAfter('reject', p.state) !== null
          ? { ...p, state: 'REJECTED', rejection, deliveries: p.deliveries.map((d) => ({ ...d, status: 'REJECTED' as const, updatedAt: at })) }
          : null,
      { history: () => [{ status: 'REJECTED', at, recipient: null, detail: `${rejection.code}: ${rejection.message}${where === '' ? '' : ` (${where})`}` }] },
    );
    if (updated === null || !updated.changed) return updated?.packet ?? packet;
    this.deps.metrics.packets.inc({ event: 'rejected' });
    this.deps.logger.info({ packetId: packet.id, source: packet.sourceAgency, code: rejection.code }, 'packet rejected');
    await this.deps.events.publish('packet-status', packet.sourceAgency, { packetId: packet.id, status: 'REJECTED' });
    return this.outcomes.finish(updated.packet);
  }

  /** A status packet (gói tin trạng thái) updates the document's status at its source. */
  private async recordDocumentStatus(statusPacket: Packet, summary: EdxmlSummary, parsed: Extract<EdxmlPacket, { kind: 'status' }>): Promise<void> {
    const documentId = summary.responseForDocumentId;
    const documentSource = summary.responseForOrganId;
    if (documentId === null || documentSource === null) return;
    const originalId = await this.deps.packets.findDocument(documentSource, documentId);
    if (originalId === null) {
      await this.deps.packets.appendHistory(statusPacket.id, [
        { status: 'VALIDATED', at: isoTime(this.deps.now()), recipient: null, detail: `document ${documentId} was not exchanged through this platform` },
      ]);
      return;
    }
    const report = {
      statusCode: parsed.statusCode,
      description: parsed.description,
      reportedBy: statusPacket.sourceAgency,
      statusPacketId: statusPacket.id,
      at: isoTime(this.deps.now()),
    };
    const updated = await this.deps.packets.update(originalId, (p) =>
      // Only a recipient of the document may report its status.
      p.deliveries.some((d) => d.agencyCode === statusPacket.sourceAgency) && !p.documentStatuses.some((s) => s.statusPacketId === statusPacket.id)
        ? { ...p, documentStatuses: [...p.documentStatuses, report] }
        : null,
    );
    if (updated?.changed === true) {
      await this.deps.events.publish('document-status', updated.packet.sourceAgency, {
        packetId: originalId,
        statusCode: parsed.statusCode,
        reportedBy: statusPacket.sourceAgency,
        statusPacketId: statusPacket.id,
      });
    }
  }
}

/** What the relay keeps of an edXML packet: keys only, no document content. */
function summarise(packet: EdxmlPacket): EdxmlSummary {
  const warnings = [...new Set(packet.warnings.map((w) => w.code))];
  if (packet.kind === 'document') {
    return {
      kind: 'document',
      fromOrganId: packet.from.organId,
      toOrganIds: packet.to.map((t) => t.organId),
      documentId: packet.documentId,
      code: packet.code.value,
      subject: packet.subject,
      statusCode: null,
      responseForOrganId: null,
      responseForDocumentId: null,
      responseForCode: null,
      warnings,
    };
  }
  return {
    kind: 'status',
    fromOrganId: packet.from.organId,
    toOrganIds: [],
    documentId: null,
    code: null,
    subject: null,
    statusCode: packet.statusCode,
    responseForOrganId: packet.responseFor.organId,
    responseForDocumentId: packet.responseFor.documentId,
    responseForCode: packet.responseFor.code,
    warnings,
  };
}
