/** Who may follow which agency's topics, and which packet events reach whom: one table, walked by one test. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LgspError, Role, type Principal } from '@lgsp/kit';
import { accessRequestEventVisible, agencyToFollow, packetEventVisible } from './access.ts';

const A = '000.00.03.H41';
const B = '000.00.04.H41';
const C = '000.00.05.H41';
const callers: Record<string, Principal> = {
  'system of A': { kind: 'system', agencyCode: A, roles: [], scopes: [] },
  'civil servant of A': { kind: 'user', agencyCode: A, userId: 'u1', roles: [], scopes: [] },
  'user without agency': { kind: 'user', userId: 'u2', roles: [], scopes: [] },
  operator: { kind: 'user', userId: 'op', roles: [Role.operator], scopes: [] },
  'operator of A': { kind: 'user', agencyCode: A, userId: 'op2', roles: [Role.operator], scopes: [] },
  anonymous: { kind: 'anonymous', roles: [], scopes: [] },
};

// caller, requested agencyCode (null = omitted) → the agency followed, or the error code.
const follow: Array<[string, string | null, string]> = [
  ['system of A', null, A],
  ['system of A', A, A],
  ['system of A', B, 'FORBIDDEN'],
  ['civil servant of A', null, A],
  ['civil servant of A', B, 'FORBIDDEN'],
  ['user without agency', null, 'FORBIDDEN'],
  ['user without agency', A, 'FORBIDDEN'],
  ['operator', null, 'BAD_USER_INPUT'],
  ['operator', B, B],
  ['operator of A', null, A],
  ['operator of A', B, B],
  ['anonymous', null, 'UNAUTHENTICATED'],
  ['anonymous', A, 'UNAUTHENTICATED'],
];

test('agencyToFollow: an agency follows only itself, operators anyone', () => {
  for (const [caller, requested, expected] of follow) {
    let outcome: string;
    try {
      outcome = agencyToFollow(callers[caller]!, requested);
    } catch (error) {
      assert.ok(error instanceof LgspError, `${caller} → ${requested}: ${(error as Error).message}`);
      outcome = error.code;
    }
    assert.equal(outcome, expected, `${caller} asking for ${requested ?? '(own)'}`);
  }
});

// caller, followed agency, event source, event recipient → delivered?
const events: Array<[string, string, string, string | null, boolean]> = [
  ['system of A', A, A, B, true],
  ['system of A', A, B, A, true],
  ['system of A', A, A, null, true],
  ['system of A', A, B, C, false],
  ['operator', B, B, C, true],
  ['operator', B, A, C, false],
];

test('packetEventVisible: only the source and the recipient concerned (or an operator) see a packet event', () => {
  for (const [caller, followed, sourceAgency, recipientAgency, expected] of events) {
    assert.equal(
      packetEventVisible(callers[caller]!, followed, { sourceAgency, recipientAgency }),
      expected,
      `${caller} following ${followed}: ${sourceAgency} → ${recipientAgency}`,
    );
  }
});

// caller, followed agency, consumer, provider → delivered?
const accessRequestEvents: Array<[string, string, string | null, string | null, boolean]> = [
  ['system of A', A, A, B, true], // A asked B's service
  ['system of A', A, B, A, true], // B asked A's service
  ['civil servant of A', A, B, A, true],
  ['system of A', A, B, C, false], // written to A's topic by mistake
  ['operator', B, B, C, true],
  ['operator', B, A, C, false],
  ['user without agency', A, A, B, false],
  ['system of A', A, null, null, true], // names no agency: the topic, already authorized, decides
  ['system of A', A, null, B, false], // names only B
];

test("accessRequestEventVisible: only the request's consumer and provider (or an operator) see its events", () => {
  for (const [caller, followed, consumerAgency, providerAgency, expected] of accessRequestEvents)
    assert.equal(
      accessRequestEventVisible(callers[caller]!, followed, { consumerAgency, providerAgency }),
      expected,
      `${caller} following ${followed}: ${consumerAgency} asked ${providerAgency}`,
    );
});
