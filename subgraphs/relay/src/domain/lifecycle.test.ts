/**
 * The packet lifecycle's rules, as tables walked one row at a time. The tables are the specification written out
 * (README "Decisions", R4); the steps consult the same functions inside their changes, so these rows are what the
 * relay does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgementOf,
  allDeliveriesEnded,
  claimExpiresAt,
  claimRefusal,
  claimsExhausted,
  contentExpiresAt,
  DELIVERY_STEPS,
  deliveryStatusAfter,
  downloadRefusal,
  FIRST_SWEEP_AFTER_MS,
  firstSweepAt,
  needsContentCheck,
  nextSweepAt,
  offlineTooLong,
  PACKET_STEPS,
  packetStateAfter,
  pastDeadline,
  spaceOpen,
  uploadRefusal,
  withAttempt,
  withDelivery,
  type DeliveryStep,
  type PacketStep,
} from './lifecycle.ts';
import { TERMINAL_DELIVERY, type Delivery, type DeliveryStatus, type Packet, type PacketState } from './types.ts';

/** Rows of whitespace-separated cells; the first row names the columns. */
function table(text: string): { columns: string[]; rows: string[][] } {
  const [header, ...rows] = text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  return { columns: header!, rows };
}

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function delivery(agencyCode: string, status: DeliveryStatus, extra: Partial<Delivery> = {}): Delivery {
  return {
    agencyCode,
    status,
    attempts: 0,
    queueEntryId: null,
    queuedAt: null,
    claimedAt: null,
    claimedBy: null,
    deliveredAt: null,
    updatedAt: iso(T0),
    ...extra,
  };
}

function packet(extra: Partial<Packet> = {}): Packet {
  return {
    id: 'p1',
    sourceAgency: 'A',
    sourceSystem: 'A:sys',
    title: 't',
    priority: 'NORMAL',
    dataType: 'FILE',
    protocol: 'p',
    schemaId: null,
    policy: { deadline: iso(T0 + 3_600_000), maxAttempts: 3, acknowledgementRequired: true, notifySourceOnFailure: true, maxOfflineMs: 600_000 },
    declaredBytes: 10,
    sha256: 'a'.repeat(64),
    state: 'QUEUED',
    createdAt: iso(T0),
    spaceExpiresAt: iso(T0 + 60_000),
    uploadAttempts: [],
    contentAttempt: null,
    contentDeleted: false,
    rejection: null,
    edxml: null,
    deliveries: [],
    documentStatuses: [],
    sequence: 1,
    ...extra,
  };
}

describe('which delivery status may follow which', () => {
  // Each row: a step; each column: the status a delivery is in; each cell: the status it takes, or - (refused).
  const TRANSITIONS = table(`
    step       PENDING        QUEUED         NOTIFIED       CLAIMED        DELIVERED  EXPIRED  UNDELIVERABLE  REJECTED
    queue      NOTIFIED       -              -              -              -          -        -              -
    offer      -              NOTIFIED       -              -              -          -        -              -
    reoffer    -              NOTIFIED       NOTIFIED       NOTIFIED       -          -        -              -
    claim      -              CLAIMED        CLAIMED        CLAIMED        -          -        -              -
    claimNext  -              CLAIMED        CLAIMED        -              -          -        -              -
    deliver    -              -              DELIVERED      DELIVERED      -          -        -              -
    expire     EXPIRED        EXPIRED        EXPIRED        EXPIRED        -          -        -              -
    giveUp     UNDELIVERABLE  UNDELIVERABLE  UNDELIVERABLE  UNDELIVERABLE  -          -        -              -
  `);
  const statuses = TRANSITIONS.columns.slice(1) as DeliveryStatus[];

  it('walks every step from every status as the table says', () => {
    assert.deepEqual(TRANSITIONS.rows.map((r) => r[0]).sort(), Object.keys(DELIVERY_STEPS).sort(), 'the table names every step');
    for (const status of [...TERMINAL_DELIVERY, ...Object.values(DELIVERY_STEPS).flatMap((s) => [...s.from, s.to])])
      assert.ok(statuses.includes(status), `the table has a column for ${status}`);
    for (const [step, ...cells] of TRANSITIONS.rows) {
      cells.forEach((cell, i) => {
        assert.equal(deliveryStatusAfter(step as DeliveryStep, statuses[i]!), cell === '-' ? null : cell, `${step} from ${statuses[i]}`);
      });
    }
  });

  it('never leaves an ended delivery, and ends the packet only when every delivery ended', () => {
    for (const status of TERMINAL_DELIVERY)
      for (const step of Object.keys(DELIVERY_STEPS) as DeliveryStep[]) assert.equal(deliveryStatusAfter(step, status), null, `${step} from ${status}`);
    assert.equal(allDeliveriesEnded(packet({ deliveries: [delivery('B', 'DELIVERED'), delivery('C', 'UNDELIVERABLE'), delivery('D', 'EXPIRED')] })), true);
    assert.equal(allDeliveriesEnded(packet({ deliveries: [delivery('B', 'DELIVERED'), delivery('C', 'CLAIMED')] })), false);
  });
});

describe('which packet state may follow which', () => {
  const TRANSITIONS = table(`
    step            REQUESTED  UPLOADED   VALIDATED  QUEUED  REJECTED  EXPIRED  DONE
    upload          UPLOADED   -          -          -       -         -        -
    uploadAndQueue  QUEUED     -          -          -       -         -        -
    expireSpace     EXPIRED    -          -          -       -         -        -
    validate        -          VALIDATED  -          -       -         -        -
    reject          -          REJECTED   -          -       -         -        -
    queue           -          -          QUEUED     -       -         -        -
    finish          -          -          -          DONE    -         -        -
  `);
  const states = TRANSITIONS.columns.slice(1) as PacketState[];

  it('walks every step from every state as the table says; REJECTED, EXPIRED and DONE are final', () => {
    assert.deepEqual(TRANSITIONS.rows.map((r) => r[0]).sort(), Object.keys(PACKET_STEPS).sort(), 'the table names every step');
    for (const [step, ...cells] of TRANSITIONS.rows) {
      cells.forEach((cell, i) => assert.equal(packetStateAfter(step as PacketStep, states[i]!), cell === '-' ? null : cell, `${step} from ${states[i]}`));
    }
  });
});

describe('what an acknowledgement comes to (idempotent)', () => {
  // digest: whether the acknowledged sha256 is the packet's.
  const CASES = table(`
    status         attempts  digest  outcome
    CLAIMED        1         right   DELIVER
    CLAIMED        1         wrong   DIGEST_MISMATCH
    NOTIFIED       2         right   DELIVER
    NOTIFIED       0         right   NOT_CLAIMED
    QUEUED         0         right   NOT_CLAIMED
    PENDING        0         right   NOT_CLAIMED
    DELIVERED      1         right   ALREADY_ACKNOWLEDGED
    DELIVERED      1         wrong   DIGEST_MISMATCH
    EXPIRED        2         right   DELIVERY_CLOSED
    UNDELIVERABLE  3         right   DELIVERY_CLOSED
    UNDELIVERABLE  3         wrong   DIGEST_MISMATCH
  `);

  it('walks the table', () => {
    for (const [status, attempts, digest, outcome] of CASES.rows) {
      assert.equal(
        acknowledgementOf({ status: status as DeliveryStatus, attempts: Number(attempts) }, digest === 'right'),
        outcome,
        `${status} after ${attempts} claim(s), ${digest} digest`,
      );
    }
  });
});

describe('what a claim and a download of a delivery come to', () => {
  it('refuses a claim by id with the reason its status gives', () => {
    const CASES = table(`
      status         refusal
      PENDING        NOT_READY
      DELIVERED      ALREADY_DELIVERED
      EXPIRED        DELIVERY_CLOSED
      UNDELIVERABLE  DELIVERY_CLOSED
      REJECTED       DELIVERY_CLOSED
    `);
    for (const [status, refusal] of CASES.rows) assert.equal(claimRefusal(status as DeliveryStatus), refusal, status);
  });

  it('lets only the URL of the current claim download', () => {
    const CASES = table(`
      status     attempts  urlClaim  refusal
      CLAIMED    2         2         -
      CLAIMED    3         2         NOT_CLAIMED
      NOTIFIED   2         2         NOT_CLAIMED
      DELIVERED  2         2         ALREADY_DELIVERED
      EXPIRED    2         2         NOT_CLAIMED
    `);
    for (const [status, attempts, urlClaim, refusal] of CASES.rows) {
      assert.equal(
        downloadRefusal({ status: status as DeliveryStatus, attempts: Number(attempts) }, Number(urlClaim)),
        refusal === '-' ? null : refusal,
        `${status} ${attempts} / URL of claim ${urlClaim}`,
      );
    }
  });

  it('gives a claim up after maxAttempts claims without acknowledgement', () => {
    const p = packet(); // maxAttempts 3
    assert.equal(claimsExhausted({ status: 'CLAIMED', attempts: 2 }, p), false);
    assert.equal(claimsExhausted({ status: 'CLAIMED', attempts: 3 }, p), true);
    assert.equal(claimsExhausted({ status: 'NOTIFIED', attempts: 3 }, p), false, 'an offer not claimed is not an attempt used up');
  });
});

describe('what a space takes', () => {
  const open = { state: 'REQUESTED' as const, spaceExpiresAt: iso(T0 + 60_000), sha256: 'a'.repeat(64), declaredBytes: 10 };
  const CASES: Array<[string, Parameters<typeof uploadRefusal>[0], number, Parameters<typeof uploadRefusal>[2], ReturnType<typeof uploadRefusal>]> = [
    ['an open space', open, T0, { digestSha256: null, contentLength: null }, null],
    ['the declared digest and size', open, T0, { digestSha256: 'a'.repeat(64), contentLength: 10 }, null],
    ['a space at its expiry', open, T0 + 60_000, { digestSha256: null, contentLength: null }, 'SPACE_EXPIRED'],
    ['an expired packet', { ...open, state: 'EXPIRED' }, T0, { digestSha256: null, contentLength: null }, 'SPACE_EXPIRED'],
    ['a space that holds its content', { ...open, state: 'QUEUED' }, T0, { digestSha256: null, contentLength: null }, 'SPACE_CLOSED'],
    ['another digest', open, T0, { digestSha256: 'b'.repeat(64), contentLength: null }, 'DIGEST_MISMATCH'],
    ['a longer body', open, T0, { digestSha256: null, contentLength: 11 }, 'PAYLOAD_TOO_LARGE'],
  ];
  it('walks the table', () => {
    for (const [name, space, now, announced, refusal] of CASES) assert.equal(uploadRefusal(space, now, announced), refusal, name);
    assert.equal(spaceOpen(open, T0 + 59_999), true);
    assert.equal(spaceOpen(open, T0 + 60_000), false);
  });

  it('checks content of the types that need it before delivery', () => {
    const noSchemas = () => false;
    const CASES = table(`
      dataType        schemaId  dataTypeSchema  check
      EDXML_DOCUMENT  -         no              yes
      EDXML_STATUS    -         no              yes
      JSON            -         no              yes
      FILE            -         no              no
      DOSSIER         -         no              no
      DOSSIER         -         yes             yes
      DOSSIER         s1        no              yes
    `);
    for (const [dataType, schemaId, dataTypeSchema, check] of CASES.rows) {
      const p = packet({ dataType: dataType as Packet['dataType'], schemaId: schemaId === '-' ? null : schemaId! });
      assert.equal(
        needsContentCheck(p, dataTypeSchema === 'yes' ? (t) => t === dataType : noSchemas),
        check === 'yes',
        `${dataType} ${schemaId} ${dataTypeSchema}`,
      );
    }
  });
});

describe('time: deadlines, offline destinations, the sweep', () => {
  const deadline = T0 + 3_600_000;

  it('expires at the deadline; content and claim URLs never outlive it', () => {
    const p = packet();
    assert.equal(pastDeadline(p, deadline - 1), false);
    assert.equal(pastDeadline(p, deadline), true);
    assert.equal(contentExpiresAt(p), deadline + 60_000);
    assert.equal(claimExpiresAt(p, T0, 300_000), T0 + 300_000);
    assert.equal(claimExpiresAt(p, deadline - 1_000, 300_000), deadline);
  });

  it('judges a destination away since its last activity, but never since before the delivery was queued', () => {
    const p = packet(); // maxOfflineMs 600 000
    const queued = delivery('B', 'NOTIFIED', { queuedAt: iso(T0 + 1_000) });
    assert.equal(offlineTooLong(p, queued, null, T0 + 601_000), false, 'exactly maxOfflineMs after it was queued');
    assert.equal(offlineTooLong(p, queued, null, T0 + 601_001), true, 'never seen, longer than maxOfflineMs after it was queued');
    assert.equal(offlineTooLong(p, queued, T0 - 5_000_000, T0 + 601_001), true, 'seen long before it was queued');
    assert.equal(offlineTooLong(p, queued, T0 + 100_000, T0 + 601_001), false, 'seen since');
    assert.equal(offlineTooLong(p, delivery('B', 'PENDING'), null, T0 + 600_001), true, 'not queued: counted from the request');
  });

  it('looks at a new packet soon, never after its space expires or its first offline check', () => {
    assert.equal(firstSweepAt(T0, T0 + 3_600_000, 3_600_000), T0 + FIRST_SWEEP_AFTER_MS);
    assert.equal(firstSweepAt(T0, T0 + 10_000, 3_600_000), T0 + 10_000);
    assert.equal(firstSweepAt(T0, T0 + 3_600_000, 5_000), T0 + 5_000);
  });

  it('looks at a queued packet again at its deadline or when a destination could first be away too long', () => {
    const ackTimeoutMs = 120_000;
    const never = () => null;
    // Deliveries ended: the deadline.
    assert.equal(nextSweepAt(packet({ deliveries: [delivery('B', 'DELIVERED')] }), T0, ackTimeoutMs, never), deadline);
    // Waiting, never seen: maxOfflineMs after it was queued (+1 ms: strictly longer).
    const waiting = packet({ deliveries: [delivery('B', 'NOTIFIED', { queuedAt: iso(T0) })] });
    assert.equal(nextSweepAt(waiting, T0, ackTimeoutMs, never), T0 + 600_001);
    // Seen later: from then.
    assert.equal(
      nextSweepAt(waiting, T0, ackTimeoutMs, (agency) => (agency === 'B' ? T0 + 50_000 : null)),
      T0 + 650_001,
    );
    // Claimed: not before the claim could be redelivered.
    const claimed = packet({
      policy: { ...packet().policy, maxOfflineMs: 1_000 },
      deliveries: [delivery('B', 'CLAIMED', { queuedAt: iso(T0), claimedAt: iso(T0 + 10_000) })],
    });
    assert.equal(nextSweepAt(claimed, T0, ackTimeoutMs, never), T0 + 10_000 + ackTimeoutMs);
    // Never sooner than a second from now.
    assert.equal(nextSweepAt(waiting, T0 + 700_000, ackTimeoutMs, never), T0 + 701_000);
  });
});

describe('record edits', () => {
  it('changes one delivery in a new record, leaving the one it was given as it was', () => {
    const before = packet({ deliveries: [delivery('B', 'NOTIFIED'), delivery('C', 'NOTIFIED')] });
    const after = withDelivery(before, 'C', (d) => ({ ...d, status: 'CLAIMED' }));
    assert.deepEqual(
      after?.deliveries.map((d) => d.status),
      ['NOTIFIED', 'CLAIMED'],
    );
    assert.deepEqual(
      before.deliveries.map((d) => d.status),
      ['NOTIFIED', 'NOTIFIED'],
    );
    assert.equal(
      withDelivery(before, 'X', (d) => d),
      null,
      'not a recipient',
    );
    assert.equal(
      withDelivery(before, 'B', () => null),
      null,
      'the change does not apply',
    );
  });

  it('registers an upload attempt once', () => {
    const attempts = ['a1'];
    assert.equal(withAttempt(attempts, 'a1'), attempts);
    assert.deepEqual(withAttempt(attempts, 'b2'), ['a1', 'b2']);
    assert.deepEqual(attempts, ['a1']);
  });
});
