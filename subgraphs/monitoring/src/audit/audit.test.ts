/**
 * The audit queries over HTTP with real internal tokens, on a log of records hashed with the test key: who finds
 * what, the authorization matrix (authorization.table.ts, myDataAccesses and auditChainStatus included), bad input, paging across slices, and that every query is
 * itself recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEntry } from '@lgsp/audit/testing';
import type { Principal } from '@lgsp/kit';
import { matrix } from './authorization.table.ts';
import {
  adminOf,
  citizenOf,
  civilServantOf,
  FINANCE,
  JUSTICE,
  OPERATOR,
  POLICE,
  startMonitoringHarness,
  systemOf,
  testHasher,
  type MonitoringHarness,
} from '../testing.ts';

const CITIZEN = '040200001234';
const OTHER_CITIZEN = '040200009999';
const ENTERPRISE = '2900123456';
const FROM = '2026-11-01T00:00:00+07:00';
const TO = '2026-12-01T00:00:00+07:00';

const callers: Record<string, Principal> = {
  operator: OPERATOR,
  'provider admin': adminOf(POLICE),
  'consumer admin': adminOf(JUSTICE),
  'other agency admin': adminOf('000.00.20.H41'),
  'agency system': systemOf(JUSTICE, 'ho-tich-dien-tu'),
  'civil servant': civilServantOf(JUSTICE),
  citizen: citizenOf(CITIZEN),
  'business representative': citizenOf(OTHER_CITIZEN, ENTERPRISE),
};

const ACCESSES = `query($subject: String!, $kind: SubjectKind, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  personalDataAccesses(subject: $subject, subjectKind: $kind, from: $from, to: $to, first: $first, after: $after) {
    nodes { seq at kind requestId agencyCode agency { code } system user purpose operation fields personalFields subjectHashes counterpartAgencyCode outcome durationMs bytesOut service }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MINE = `query($from: DateTime!, $to: DateTime!) { myDataAccesses(from: $from, to: $to) { nodes { seq } } }`;
const CHAIN = `{ auditChainStatus { verified verifiedThroughSeq headSeq } }`;
const RECORDS = `query($filter: AuditRecordFilter!, $first: Int, $after: String) {
  auditRecords(filter: $filter, first: $first, after: $after) { nodes { seq agencyCode counterpartAgencyCode outcome kind purpose } pageInfo { hasNextPage endCursor } }
}`;

describe('audit queries', () => {
  let h: MonitoringHarness;
  before(async () => {
    h = await startMonitoringHarness();
    const entries = [
      // JUSTICE's civil-status system reads citizen A from POLICE's national data.
      auditEntry({
        at: '2026-11-05T01:00:00Z',
        requestId: 'req-1',
        agency: JUSTICE,
        system: `${JUSTICE}:ho-tich-dien-tu`,
        purpose: 'civil-status:HS-001',
        action: 'CitizenLookup',
        operationType: 'query',
        fields: ['Citizen.fullName', 'Citizen.birthDate'],
        personalFields: ['Citizen.fullName', 'Citizen.birthDate'],
        counterpartAgency: POLICE,
        service: 'national-data',
        durationMs: 42,
        bytesOut: 900,
        subjects: [{ kind: 'personal-id', value: CITIZEN }],
      }),
      // FINANCE reads citizen A too, refused.
      auditEntry({
        at: '2026-11-06T01:00:00Z',
        agency: FINANCE,
        counterpartAgency: POLICE,
        outcome: 'denied',
        subjects: [{ kind: 'personal-id', value: CITIZEN }],
      }),
      // JUSTICE reads an enterprise from FINANCE.
      auditEntry({ at: '2026-11-07T01:00:00Z', agency: JUSTICE, counterpartAgency: FINANCE, subjects: [{ kind: 'enterprise-code', value: ENTERPRISE }] }),
      // Someone else's citizen, and a record outside the period.
      auditEntry({ at: '2026-11-08T01:00:00Z', agency: JUSTICE, counterpartAgency: POLICE, subjects: [{ kind: 'personal-id', value: OTHER_CITIZEN }] }),
      auditEntry({ at: '2026-10-08T01:00:00Z', agency: JUSTICE, counterpartAgency: POLICE, subjects: [{ kind: 'personal-id', value: CITIZEN }] }),
    ];
    await h.log.append(entries.map((e) => ({ ...e, subjects: e.subjects.map(testHasher) })));
  });
  after(async () => {
    await h.close();
  });

  const accesses = async (principal: Principal, variables: Record<string, unknown> = {}) =>
    h.gql(principal, ACCESSES, { subject: CITIZEN, from: FROM, to: TO, ...variables });

  it("the operator finds a citizen's reads by the personal ID, with agency, system, purpose and fields; the subject only hashed", async () => {
    const answer = await accesses(OPERATOR);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const nodes = answer.data!.personalDataAccesses.nodes as Array<Record<string, any>>;
    assert.equal(nodes.length, 2);
    const [denied, read] = nodes;
    assert.equal(denied!.agencyCode, FINANCE);
    assert.equal(denied!.outcome, 'DENIED');
    assert.equal(read!.agencyCode, JUSTICE);
    assert.deepEqual(read!.agency, { code: JUSTICE });
    assert.equal(read!.system, `${JUSTICE}:ho-tich-dien-tu`);
    assert.equal(read!.purpose, 'civil-status:HS-001');
    assert.equal(read!.operation, 'CitizenLookup');
    assert.equal(read!.requestId, 'req-1');
    assert.equal(read!.counterpartAgencyCode, POLICE);
    assert.deepEqual(read!.personalFields, ['Citizen.fullName', 'Citizen.birthDate']);
    assert.equal(read!.durationMs, 42);
    assert.equal(read!.bytesOut, 900);
    assert.deepEqual(read!.subjectHashes, [testHasher({ kind: 'personal-id', value: CITIZEN })]);
    assert.ok(!JSON.stringify(answer).includes(CITIZEN), 'the personal ID never appears in clear');
  });

  it('the provider agency (owner of the data) sees every read of it; a consumer agency its own reads only', async () => {
    const seqs = async (p: Principal) => ((await accesses(p)).data!.personalDataAccesses.nodes as Array<{ agencyCode: string }>).map((n) => n.agencyCode);
    assert.deepEqual(await seqs(adminOf(POLICE)), [FINANCE, JUSTICE]);
    assert.deepEqual(await seqs(adminOf(JUSTICE)), [JUSTICE]);
    assert.deepEqual(await seqs(adminOf(FINANCE)), [FINANCE]);
    assert.deepEqual(await seqs(adminOf('000.00.20.H41')), []);
  });

  it('enterprise codes are searched as such', async () => {
    const answer = await accesses(OPERATOR, { subject: ENTERPRISE, kind: 'ENTERPRISE_CODE' });
    assert.equal(answer.data!.personalDataAccesses.nodes.length, 1);
  });

  it('pages across the slices of an agency administrator without repeating or losing a record', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const answer = await h.gql(adminOf(POLICE), RECORDS, { filter: { from: FROM, to: TO }, first: 1, after: cursor });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const conn = answer.data!.auditRecords;
      seen.push(...(conn.nodes as Array<{ seq: number }>).map((n) => n.seq));
      cursor = conn.pageInfo.endCursor;
      if (!conn.pageInfo.hasNextPage) break;
    }
    // POLICE is the counterpart of records 1, 2 and 4 (3 is JUSTICE → FINANCE, 5 out of the period).
    assert.deepEqual(seen, [4, 2, 1]);
  });

  it('bad input gets its code: personal ID, enterprise code, dates, period, page size, cursor', async () => {
    const code = (answer: { errors?: Array<{ extensions?: Record<string, any> }> }) => answer.errors?.[0]?.extensions?.code;
    assert.equal(code(await accesses(OPERATOR, { subject: '12345' })), 'INVALID_PERSONAL_ID');
    assert.equal(code(await accesses(OPERATOR, { subject: '29001234', kind: 'ENTERPRISE_CODE' })), 'INVALID_ENTERPRISE_CODE');
    assert.equal(code(await accesses(OPERATOR, { from: '2026-11-01' })), 'INVALID_DATE');
    assert.equal(code(await accesses(OPERATOR, { from: TO, to: FROM })), 'BAD_USER_INPUT');
    assert.equal(code(await accesses(OPERATOR, { first: 1000 })), 'BAD_USER_INPUT');
    assert.equal(code(await accesses(OPERATOR, { after: 'not-a-cursor' })), 'INVALID_CURSOR');
    assert.equal(code(await h.gql(OPERATOR, RECORDS, { filter: { from: 'yesterday', to: TO } })), 'INVALID_DATE');
  });

  for (const row of matrix) {
    for (const [name, expected] of Object.entries(row.outcomes)) {
      it(`${row.operation} by ${name}: ${expected}`, async () => {
        const principal = callers[name]!;
        const answer =
          row.operation === 'personalDataAccesses'
            ? await accesses(principal)
            : row.operation === 'myDataAccesses'
              ? await h.gql(principal, MINE, { from: FROM, to: TO })
              : row.operation === 'auditChainStatus'
                ? await h.gql(principal, CHAIN)
                : await h.gql(principal, RECORDS, {
                    filter: {
                      from: FROM,
                      to: TO,
                      ...(row.operation.includes('agency: consumer') ? { agency: JUSTICE } : {}),
                      ...(row.operation.includes('counterpartAgency: provider') ? { counterpartAgency: POLICE } : {}),
                    },
                  });
        if (expected === 'ok') assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
        else assert.equal(answer.errors?.[0]?.extensions?.code, expected);
      });
    }
  }

  it('every audit query is recorded: who looked, for whom (hashed), how it ended; refusals too', async () => {
    await accesses(adminOf(POLICE));
    await accesses(systemOf(JUSTICE, 'ho-tich-dien-tu'));
    const own = await h.ownRecords();
    const looked = own.filter((r) => r.action === 'personalDataAccesses');
    const byPolice = looked.find((r) => r.user === `${POLICE}@nghean.gov.vn` && r.outcome === 'success');
    assert.ok(byPolice, 'the provider admin’s query is recorded');
    assert.equal(byPolice.kind, 'operation');
    assert.equal(byPolice.agency, POLICE);
    assert.deepEqual(byPolice.subjects, [testHasher({ kind: 'personal-id', value: CITIZEN })]);
    const refused = looked.find((r) => r.system === `${JUSTICE}:ho-tich-dien-tu`);
    assert.equal(refused?.outcome, 'denied');
    assert.deepEqual(refused?.errorCodes, ['FORBIDDEN']);
    // A malformed subject is not recorded as a subject.
    await accesses(OPERATOR, { subject: 'garbage' });
    const rejected = (await h.ownRecords()).find((r) => r.outcome === 'rejected');
    assert.deepEqual(rejected?.subjects, []);
  });
});
