/**
 * What the relay's exchange steps take and answer: the caller, the settings, the ports they run over, and the
 * shapes handed to resolvers and the HTTP layer. One module so that every step (request, upload, validation,
 * dispatch, delivery, sweeper) and the `Relay` facade speak the same types without importing each other for them.
 */
import type { Environment, Logger } from '@lgsp/kit';
import type { PacketContentStore } from '../store/content-store.ts';
import type { DeliveryQueue } from '../store/delivery-queue.ts';
import type { EventPublisher } from '../store/event-publisher.ts';
import type { PacketStore } from '../store/packet-store.ts';
import type { PresenceStore } from '../store/presence-store.ts';
import type { AgencyDirectory } from './agency-directory.ts';
import type { MasterKey } from './content-cipher.ts';
import type { JsonSchemaRegistry } from './json-schemas.ts';
import type { RelayMetrics } from './metrics.ts';
import type { DataType, DeliveryStatus, Packet, Priority } from './types.ts';
import type { UrlSigner } from './url-token.ts';

/** Who is calling, as the relay needs it (from the gateway's principal). */
export interface Caller {
  agencyCode: string | null;
  systemId: string | null;
  /** Role `lgsp-operator`: reads every packet. */
  operator: boolean;
  /** Role `agency-system` (an agency's information system): reads its agency's outbox. */
  agencySystem?: boolean;
  /** Role `agency-admin` (quản trị viên của cơ quan): reads its own agency's outbox. */
  agencyAdmin?: boolean;
}

export interface RelaySettings {
  /** Base of the URLs handed out (e.g. the gateway's public origin); `/exchange/…` is appended. */
  publicBaseUrl: () => string;
  maxPacketBytes: number;
  maxRecipients: number;
  spaceTtlMs: number;
  claimTtlMs: number;
  /** A claim not acknowledged within this time is offered again (redelivery). */
  ackTimeoutMs: number;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
  defaultMaxAttempts: number;
  defaultMaxOfflineMs: number;
  chunkBytes: number;
  /** Finished packets' records and histories are kept this long (R8: at least 3 months), content never. */
  retentionMs: number;
  /** JSON payloads larger than this are not parsed (rejected JSON_TOO_LARGE). */
  jsonMaxBytes: number;
  /** Largest content given inline (RequestExchangeInput.content, PacketClaim.content); 0 = none. */
  inlineMaxBytes: number;
}

export interface RelayDeps {
  packets: PacketStore;
  content: PacketContentStore;
  queue: DeliveryQueue;
  events: EventPublisher;
  presence: PresenceStore;
  directory: AgencyDirectory;
  schemas: JsonSchemaRegistry;
  masterKey: MasterKey;
  urls: UrlSigner;
  logger: Logger;
  metrics: RelayMetrics;
  settings: RelaySettings;
  /** This process's consumer name in the delivery queues' consumer group. */
  consumerName: string;
  now?: () => number;
  /**
   * The namespace this relay serves (default production): its stores hold only that environment's packets, its URLs
   * say so, and it honours no URL of the other namespace. The service runs one relay per environment.
   */
  environment?: Environment;
}

/** `RelayDeps` as the steps get them from the facade: with the clock and the namespace settled. */
export interface ExchangeDeps extends RelayDeps {
  now: () => number;
  environment: Environment;
}

/** What a URL grant carries to name a namespace: nothing for production (URLs as before), `environment` otherwise. */
export function grantNamespace(environment: Environment): { environment?: Environment } {
  return environment === 'production' ? {} : { environment };
}

/** A server timestamp as records and answers carry it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface RequestExchangeInput {
  recipients: { agencyCodes?: string[] | null; parentCode?: string | null; search?: string | null };
  title: string;
  priority: Priority;
  dataType: DataType;
  protocol: string;
  schemaId?: string | null;
  policy?: {
    deadline?: string | null;
    maxAttempts?: number | null;
    acknowledgementRequired?: boolean | null;
    notifySourceOnFailure?: boolean | null;
    maxOfflineSeconds?: number | null;
  } | null;
  declaredBytes: number;
  sha256: string;
  /** The content itself, base64, for a packet of at most `inlineMaxBytes`: steps 2 and 3 in one call. */
  content?: string | null;
}

export interface ExchangeSpace {
  id: string;
  uploadUrl: string;
  expiresAt: string;
  maxBytes: number;
  packet: Packet;
}

export interface PacketClaim {
  packetId: string;
  downloadUrl: string;
  expiresAt: string;
  sha256: string;
  bytes: number;
  /**
   * Step 7 inside the claim, for a packet of at most `inlineMaxBytes`: its whole content (null for a larger one,
   * which is downloaded). Reading it counts as a download.
   */
  readContent(): Promise<Buffer | null>;
}

export interface Acknowledgement {
  packet: Packet;
  recipient: string;
  status: DeliveryStatus;
  alreadyAcknowledged: boolean;
}

export interface Download {
  packet: Packet;
  bytes: number;
  sha256: string;
  body: AsyncIterable<Buffer>;
  /** Call once the whole body was sent: completes the delivery when no acknowledgement is required. */
  completed(): Promise<void>;
}

export interface AgencyPresence {
  agencyCode: string;
  lastSeenAt: string | null;
  systems: Array<{ systemId: string; lastSeenAt: string }>;
}

/** A page of an agency's outbox (`Relay.outbox`). */
export interface OutboxSlice {
  packets: Packet[];
  /** Position of the last packet of the page (the next page's `beforeScore`). */
  lastScore: number | null;
  hasNextPage: boolean;
}

export interface InboxSlice {
  packets: Packet[];
  lastSequence: number | null;
  hasNextPage: boolean;
}
