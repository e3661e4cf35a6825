/**
 * Discrepancies the reconciliation tests inject into a month of records (month-of-records.ts): one of each of the five
 * kinds between the police (provider) and the justice department (consumer) in November 2026, and records that must
 * not count (a request denied at the gateway, a packet to a third agency, a served record of October).
 */
import type { AuditEntry } from '@lgsp/audit';
import { entry, FIXTURE_AGENCIES } from '../statistics/month-of-records.ts';

const { police: PROVIDER, justice: CONSUMER, office: OTHER } = FIXTURE_AGENCIES;

/** The request ids and packet ids of the injected discrepancies, in the order reconciliation lists them. */
export const INJECTED = [
  ['SERVED_NOT_RECEIVED', 'inj-served-only'],
  ['SERVED_BUT_FAILED', 'inj-failed'],
  ['RECEIVED_NOT_SERVED', 'inj-received-only'],
  ['PACKET_NOT_ACKNOWLEDGED', 'inj-pkt-unacked'],
  ['PACKET_ACKNOWLEDGED_NOT_SENT', 'inj-pkt-unsent'],
] as const;

export function injectedDiscrepancies(): AuditEntry[] {
  const served = (at: string, requestId: string, outcome: AuditEntry['outcome'] = 'success') =>
    entry({ kind: 'served', source: 'national-data', at, requestId, agency: CONSUMER, counterpartAgency: PROVIDER, service: 'national-data', outcome });
  const received = (at: string, requestId: string, outcome: AuditEntry['outcome']) =>
    entry({
      kind: 'graphql',
      at,
      requestId,
      agency: CONSUMER,
      counterpartAgency: PROVIDER,
      service: 'national-data',
      outcome,
      details: { providers: PROVIDER },
    });
  const relay = (at: string, action: string, agency: string, counterpartAgency: string, entityId: string) =>
    entry({ kind: 'relay', source: 'relay', at, action, agency, counterpartAgency, entityId, service: 'EDXML_DOCUMENT', bytesIn: 10 });
  return [
    // 1. served, the consumer's record missing
    served('2026-11-03T02:00:00.000Z', 'inj-served-only'),
    // 2. served successfully, the consumer's record failed
    received('2026-11-04T02:00:00.000Z', 'inj-failed', 'error'),
    served('2026-11-04T02:00:00.010Z', 'inj-failed'),
    // 3. received (success), no served record
    received('2026-11-05T02:00:00.000Z', 'inj-received-only', 'success'),
    // not a discrepancy: denied at the gateway, never reached the provider
    received('2026-11-05T03:00:00.000Z', 'inj-denied', 'denied'),
    // 4. a packet from the provider to the consumer never acknowledged
    relay('2026-11-06T02:00:00.000Z', 'UPLOADED', PROVIDER, CONSUMER, 'inj-pkt-unacked'),
    // 5. a packet acknowledged by the provider that the consumer never uploaded
    relay('2026-11-07T02:00:00.000Z', 'DELIVERED', PROVIDER, CONSUMER, 'inj-pkt-unsent'),
    // not counted: a packet to another agency; a served record of the day before the period
    relay('2026-11-08T02:00:00.000Z', 'UPLOADED', PROVIDER, OTHER, 'inj-pkt-other'),
    served('2026-10-31T16:59:00.000Z', 'inj-october'),
  ];
}
