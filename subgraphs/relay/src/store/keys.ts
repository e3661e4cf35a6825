/**
 * Redis key names of the relay, and only here: `<prefix>relay:…`, prefix `lgsp:` in deployment. The hash tag
 * `{<packetId>}` keeps one packet's record, history and content in one Redis Cluster slot.
 */
export function relayKeys(prefix: string) {
  const base = `${prefix}relay`;
  return {
    /** String: the last packet sequence number handed out. */
    sequence: `${base}:sequence`,
    /** Hash {json, rev}: the packet record. */
    packet: (id: string) => `${base}:packet:{${id}}`,
    /** List of JSON status events. */
    history: (id: string) => `${base}:packet:{${id}}:history`,
    /** Sorted set: packet ids by sequence, per recipient agency. */
    inbox: (agency: string) => `${base}:inbox:{${agency}}`,
    /** Sorted set: packet ids sent by an agency, scored by creation time and sequence (`outboxScore`). */
    outbox: (agency: string) => `${base}:outbox:{${agency}}`,
    /** Sorted set: packets not finished yet, scored by their next deadline (ms). */
    active: `${base}:active`,
    /** Hash: `<sourceAgency> <documentId>` → packet id of the edXML document. */
    documents: `${base}:edxml-documents`,
    /** Hash per upload attempt: meta fields and chunk fields `c:<n>` (encrypted). */
    content: (packetId: string, attempt: string) => `${base}:content:{${packetId}}:${attempt}`,
    /** Pattern of every content key of one packet. */
    contentPattern: (packetId: string) => `${base}:content:{${packetId}}:*`,
    /** Stream per destination and priority: the delivery queue. */
    queue: (agency: string, priority: string) => `${base}:queue:{${agency}}:${priority.toLowerCase()}`,
    /** Sorted set per destination: packets offered and not claimed, by priority then sequence (`claimPackets`). */
    ready: (agency: string) => `${base}:ready:{${agency}}`,
    /** Set: destinations that have a queue. */
    queueDestinations: `${base}:queue-destinations`,
    /** Hash per agency: system id → last activity (ms). */
    presence: (agency: string) => `${base}:presence:{${agency}}`,
    /** Hash per agency: system id → when its hold by a subscription ends (ms). */
    presenceHolds: (agency: string) => `${base}:presence:{${agency}}:holds`,
  };
}

export type RelayKeys = ReturnType<typeof relayKeys>;

/** Every key of the relay under a prefix (cleaning up after tests). */
export function relayKeyPattern(prefix: string): string {
  return `${prefix}relay:*`;
}
