/**
 * The 7-step exchange (REQUIREMENTS R4) behind one small facade, the API resolvers, the HTTP content routes and the
 * service use. Each step lives in its own module, over the store ports:
 *   1-2 `exchange-request.ts`  requestExchange → an exchange space (and inline content, stored as step 3);
 *   3   `upload.ts`            upload, streamed, digest-checked, encrypted at rest;
 *   4   `validation.ts`        edXML / JSON checks, REJECTED or VALIDATED;
 *   4-5 `dispatch.ts`          queue per recipient, notify, read and redeliver queue entries;
 *   6-7 `delivery.ts`          claim → download URL, download, acknowledge;
 *       `outcomes.ts`          how a delivery and a packet end (DELIVERED, EXPIRED, UNDELIVERABLE, DONE, content deleted);
 *       `sweeper.ts`           expiry, resumption, undeliverable destinations, redelivery, on a timer;
 *       `presence.ts`, `packet-reads.ts`  who is online; what a caller may read.
 * The rules they share (which status may follow which, expiry, attempts, acknowledgement) are pure functions in
 * `lifecycle.ts`. Every state lives in the stores: any replica can continue any packet.
 */
import type { Environment, LgspError } from '@lgsp/kit';
import { Deliveries } from './delivery.ts';
import { Dispatcher } from './dispatch.ts';
import type {
  Acknowledgement,
  AgencyPresence,
  Caller,
  Download,
  ExchangeSpace,
  InboxSlice,
  OutboxSlice,
  PacketClaim,
  RelayDeps,
  RequestExchangeInput,
} from './exchange-api.ts';
import { ExchangeRequests } from './exchange-request.ts';
import { Outcomes } from './outcomes.ts';
import { PacketReads } from './packet-reads.ts';
import { PresenceTracker } from './presence.ts';
import { Sweeper, type SweepCounts } from './sweeper.ts';
import type { Packet, StatusEvent } from './types.ts';
import { Uploads } from './upload.ts';
import { Validation } from './validation.ts';

export type {
  Acknowledgement,
  AgencyPresence,
  Caller,
  Download,
  ExchangeSpace,
  InboxSlice,
  OutboxSlice,
  PacketClaim,
  RelayDeps,
  RelaySettings,
  RequestExchangeInput,
} from './exchange-api.ts';
export { exchangeError, type ExchangeFailure } from './exchange-errors.ts';
export { MAX_BATCH } from './batch.ts';
export type { SweepCounts } from './sweeper.ts';

export class Relay {
  private readonly requests: ExchangeRequests;
  private readonly uploads: Uploads;
  private readonly deliveries: Deliveries;
  private readonly sweeper: Sweeper;
  private readonly presenceTracker: PresenceTracker;
  private readonly reads: PacketReads;
  /** The namespace this relay serves: the environment of the callers whose packets it holds. */
  readonly environment: Environment;

  constructor(relayDeps: RelayDeps) {
    const deps = { ...relayDeps, now: relayDeps.now ?? Date.now, environment: relayDeps.environment ?? 'production' };
    this.environment = deps.environment;
    // Each step gets the steps it hands packets on to; built from the last step back.
    const outcomes = new Outcomes(deps);
    const dispatcher = new Dispatcher(deps, outcomes);
    const validation = new Validation(deps, dispatcher, outcomes);
    this.uploads = new Uploads(deps, validation, dispatcher);
    this.requests = new ExchangeRequests(deps, this.uploads);
    this.presenceTracker = new PresenceTracker(deps);
    this.deliveries = new Deliveries(deps, outcomes, this.presenceTracker);
    this.sweeper = new Sweeper(deps, validation, dispatcher, outcomes);
    this.reads = new PacketReads(deps);
  }

  // steps 1-2
  requestExchange(caller: Caller, input: RequestExchangeInput): Promise<ExchangeSpace> {
    return this.requests.requestExchange(caller, input);
  }

  requestExchanges(caller: Caller, inputs: RequestExchangeInput[]): Promise<Array<ExchangeSpace | LgspError>> {
    return this.requests.requestExchanges(caller, inputs);
  }

  // step 3 (4-5 follow in the same call)
  upload(
    packetId: string,
    token: string,
    options: { digestSha256: string | null; contentLength: number | null },
    body: AsyncIterable<Buffer>,
  ): Promise<Packet> {
    return this.uploads.upload(packetId, token, options, body);
  }

  // steps 6-7
  claim(caller: Caller, packetId: string): Promise<PacketClaim> {
    return this.deliveries.claim(caller, packetId);
  }

  claimNext(caller: Caller, first: number): Promise<PacketClaim[]> {
    return this.deliveries.claimNext(caller, first);
  }

  download(packetId: string, token: string): Promise<Download> {
    return this.deliveries.download(packetId, token);
  }

  acknowledge(caller: Caller, packetId: string, sha256: string): Promise<Acknowledgement> {
    return this.deliveries.acknowledge(caller, packetId, sha256);
  }

  acknowledgeMany(caller: Caller, acknowledgements: Array<{ id: string; sha256: string }>): Promise<Array<Acknowledgement | LgspError>> {
    return this.deliveries.acknowledgeMany(caller, acknowledgements);
  }

  /** One sweep pass now (the service runs it every RELAY_SWEEP_MS). */
  sweep(): Promise<SweepCounts> {
    return this.sweeper.sweep();
  }

  // presence
  markActive(caller: Caller): Promise<void> {
    return this.presenceTracker.markActive(caller);
  }

  lastSeen(agency: string): Promise<number | null> {
    return this.presenceTracker.lastSeen(agency);
  }

  presence(caller: Caller, agencyCode: string): Promise<AgencyPresence> {
    return this.presenceTracker.presence(caller, agencyCode);
  }

  // reads
  packetFor(caller: Caller, packetId: string): Promise<Packet | null> {
    return this.reads.packetFor(caller, packetId);
  }

  history(caller: Caller, packetId: string): Promise<StatusEvent[]> {
    return this.reads.history(caller, packetId);
  }

  inbox(caller: Caller, first: number, afterSequence: number | null): Promise<InboxSlice> {
    return this.reads.inbox(caller, first, afterSequence);
  }

  outbox(caller: Caller, query: Parameters<PacketReads['outbox']>[1]): Promise<OutboxSlice> {
    return this.reads.outbox(caller, query);
  }
}
