/**
 * A citizen's `myDataAccesses` over HTTP with real internal tokens, on the memory log and on real Redis: the records
 * naming their personal ID (and a business representative's enterprise code), newest first, with the agency's name;
 * their own reads marked; a provider's `served` record of a read the gateway recorded folded into it, one without a
 * gateway record listed; other people never shown; bad input; paging; the query recorded itself. Who may call it is in
 * authorization.table.ts (walked by audit.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditLog, AuditRecord } from '@lgsp/audit';
import { auditEntry, auditLogsOnRedis } from '@lgsp/audit/testing';
import { staticAgencyNames } from '../reports/agency-names.ts';
import { citizenOf, FINANCE, JUSTICE, OPERATOR, POLICE, startMonitoringHarness, testHasher, type MonitoringHarness } from '../testing.ts';

const CITIZEN = '040200001234';
const RELATIVE = '040200005678';
const ENTERPRISE = '2900123456';
const FROM = '2026-11-01T00:00:00+07:00';
const TO = '2026-12-01T00:00:00+07:00';
const NAMES = { [JUSTICE]: 'Sở Tư pháp tỉnh Nghệ An', [POLICE]: 'Công an tỉnh Nghệ An' };

const MINE = `query($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  myDataAccesses(from: $from, to: $to, first: $first, after: $after) {
    nodes { seq at kind source agencyCode agencyName system user purpose operation fields personalFields subjectHashes counterpartAgencyCode counterpartName outcome byViewer requestId }
    pageInfo { hasNextPage endCursor }
  }
}`;

const citizen = citizenOf(CITIZEN);
const representative = citizenOf(RELATIVE, ENTERPRISE);
const pid = (value: string) => ({ kind: 'personal-id' as const, value });

/** What the citizen's history is made of (oldest first); `expected` lists the ones shown, newest first, by `requestId`. */
const fixtures = () => [
  // JUSTICE's civil-status system reads the citizen from POLICE's national data: the gateway's record…
  auditEntry({
    at: '2026-11-05T01:00:00Z',
    requestId: 'req-read',
    source: 'gateway',
    agency: JUSTICE,
    system: `${JUSTICE}:ho-tich-dien-tu`,
    purpose: 'civil-status:HS-001',
    action: 'CitizenLookup',
    operationType: 'query',
    fields: ['Citizen.fullName', 'Citizen.birthDate', 'Citizen.id'],
    personalFields: ['Citizen.fullName', 'Citizen.birthDate'],
    counterpartAgency: POLICE,
    service: 'national-data',
    subjects: [pid(CITIZEN)],
  }),
  // …and national-data's `served` record of the same request (folded: the same read).
  auditEntry({
    kind: 'served',
    at: '2026-11-05T01:00:00.015Z',
    requestId: 'req-read',
    source: 'national-data',
    agency: JUSTICE,
    system: `${JUSTICE}:ho-tich-dien-tu`,
    purpose: 'civil-status:HS-001',
    fields: ['Citizen.fullName', 'Citizen.birthDate', 'Citizen.id'],
    counterpartAgency: POLICE,
    service: 'national-data',
    subjects: [pid(CITIZEN)],
  }),
  // FINANCE tries and is refused.
  auditEntry({
    at: '2026-11-06T01:00:00Z',
    requestId: 'req-denied',
    source: 'gateway',
    agency: FINANCE,
    counterpartAgency: POLICE,
    outcome: 'denied',
    subjects: [pid(CITIZEN)],
  }),
  // A `served` record with no gateway record naming the citizen: listed (reconciliation's business, the citizen's too).
  auditEntry({ kind: 'served', at: '2026-11-07T01:00:00Z', requestId: 'req-served-only', source: 'national-data', agency: JUSTICE, subjects: [pid(CITIZEN)] }),
  // A civil servant of JUSTICE reads a household: the citizen and a relative.
  auditEntry({
    at: '2026-11-08T01:00:00Z',
    requestId: 'req-household',
    source: 'gateway',
    agency: JUSTICE,
    user: 'canbo.tuphap',
    purpose: 'public-service:HS-002',
    counterpartAgency: POLICE,
    subjects: [pid(CITIZEN), pid(RELATIVE)],
  }),
  // The citizen reads their own record through the portal (self-access: no agency).
  auditEntry({
    at: '2026-11-09T01:00:00Z',
    requestId: 'req-self',
    source: 'gateway',
    user: citizen.username!,
    purpose: 'self-access',
    action: 'MyCitizenRecord',
    fields: ['Citizen.fullName'],
    personalFields: ['Citizen.fullName'],
    subjects: [pid(CITIZEN)],
  }),
  // The citizen's earlier look-up of this very list (recorded, not listed).
  auditEntry({
    kind: 'operation',
    at: '2026-11-09T02:00:00Z',
    requestId: 'req-lookup',
    source: 'monitoring',
    user: citizen.username!,
    action: 'myDataAccesses',
    subjects: [pid(CITIZEN)],
  }),
  // An agency administrator searching who read the citizen (listed: someone looked at their data).
  auditEntry({
    kind: 'operation',
    at: '2026-11-10T01:00:00Z',
    requestId: 'req-search',
    source: 'monitoring',
    agency: POLICE,
    user: 'admin.ca',
    action: 'personalDataAccesses',
    subjects: [pid(CITIZEN)],
  }),
  // Someone else; the enterprise the representative acts for; and the citizen outside the period.
  auditEntry({ at: '2026-11-11T01:00:00Z', requestId: 'req-other', agency: JUSTICE, subjects: [pid('040200009999')] }),
  auditEntry({
    at: '2026-11-12T01:00:00Z',
    requestId: 'req-enterprise',
    agency: JUSTICE,
    counterpartAgency: FINANCE,
    subjects: [{ kind: 'enterprise-code', value: ENTERPRISE }],
  }),
  auditEntry({ at: '2026-10-05T01:00:00Z', requestId: 'req-october', agency: JUSTICE, subjects: [pid(CITIZEN)] }),
];
const EXPECTED = ['req-search', 'req-self', 'req-household', 'req-served-only', 'req-denied', 'req-read'];

const backends: Array<{ name: string; open(): Promise<{ log: AuditLog | undefined; cleanup(): Promise<void> }> }> = [
  { name: 'memory log', open: async () => ({ log: undefined, cleanup: async () => undefined }) },
  {
    name: 'Redis log',
    async open() {
      const redis = await auditLogsOnRedis();
      return { log: redis.log, cleanup: redis.cleanup };
    },
  },
];

for (const backend of backends) {
  describe(`myDataAccesses (${backend.name})`, () => {
    let h: MonitoringHarness;
    let log: AuditLog;
    let cleanup: () => Promise<void>;
    before(async () => {
      const opened = await backend.open();
      cleanup = opened.cleanup;
      h = await startMonitoringHarness({}, { agencyNames: staticAgencyNames(NAMES), ...(opened.log === undefined ? {} : { log: opened.log }) });
      log = opened.log ?? h.log;
      await log.append(fixtures().map((e) => ({ ...e, subjects: e.subjects.map(testHasher) })));
    });
    after(async () => {
      await h.close();
      await cleanup();
    });

    const mine = async (variables: Record<string, unknown> = {}, who = citizen) => h.gql(who, MINE, { from: FROM, to: TO, ...variables });

    it('lists every access to the citizen’s data, newest first, with who (agency and its name, system), when, which fields and why', async () => {
      const answer = await mine();
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const nodes = answer.data!.myDataAccesses.nodes as Array<Record<string, any>>;
      assert.deepEqual(
        nodes.map((n) => n.requestId),
        EXPECTED,
      );
      const read = nodes.find((n) => n.requestId === 'req-read')!;
      assert.equal(read.kind, 'GRAPHQL', "the gateway's record, not national-data's served one");
      assert.equal(read.agencyCode, JUSTICE);
      assert.equal(read.agencyName, 'Sở Tư pháp tỉnh Nghệ An');
      assert.equal(read.counterpartName, 'Công an tỉnh Nghệ An');
      assert.equal(read.system, `${JUSTICE}:ho-tich-dien-tu`);
      assert.equal(read.purpose, 'civil-status:HS-001');
      assert.deepEqual(read.fields, ['Citizen.fullName', 'Citizen.birthDate', 'Citizen.id']);
      assert.deepEqual(read.personalFields, ['Citizen.fullName', 'Citizen.birthDate']);
      assert.equal(read.byViewer, false);
      assert.equal(nodes.find((n) => n.requestId === 'req-denied')!.outcome, 'DENIED');
      assert.equal(nodes.find((n) => n.requestId === 'req-served-only')!.kind, 'SERVED');
      // The citizen's own read: marked, their login shown.
      const self = nodes.find((n) => n.requestId === 'req-self')!;
      assert.deepEqual([self.byViewer, self.user, self.agencyCode, self.agencyName], [true, citizen.username, null, null]);
      // Other people never appear: an official's login, a relative's hash.
      const household = nodes.find((n) => n.requestId === 'req-household')!;
      assert.equal(household.user, null);
      assert.deepEqual(household.subjectHashes, [testHasher(pid(CITIZEN))]);
      assert.ok(!JSON.stringify(answer).includes(CITIZEN), 'the personal ID never appears in clear');
    });

    it('a business representative sees their own records and their enterprise’s', async () => {
      const answer = await mine({}, representative);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.deepEqual(
        (answer.data!.myDataAccesses.nodes as Array<{ requestId: string }>).map((n) => n.requestId),
        ['req-enterprise', 'req-household'],
      );
    });

    it('pages without repeating or losing a record, folding across pages', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const answer = await mine({ first: 2, after: cursor });
        assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
        const conn = answer.data!.myDataAccesses;
        assert.ok(conn.nodes.length <= 2);
        seen.push(...(conn.nodes as Array<{ requestId: string }>).map((n) => n.requestId));
        cursor = conn.pageInfo.endCursor;
        if (!conn.pageInfo.hasNextPage) break;
      }
      assert.deepEqual(seen, EXPECTED);
    });

    it('bad input gets its code, people-facing message included', async () => {
      const code = (answer: { errors?: Array<{ extensions?: Record<string, any> }> }) => answer.errors?.[0]?.extensions?.code;
      assert.equal(code(await mine({ from: '2026-11-01' })), 'INVALID_DATE');
      assert.equal(code(await mine({ from: TO, to: FROM })), 'BAD_USER_INPUT');
      assert.equal(code(await mine({ first: 101 })), 'BAD_USER_INPUT');
      assert.equal(code(await mine({ after: 'not-a-cursor' })), 'INVALID_CURSOR');
      const refused = await mine({}, OPERATOR);
      assert.equal(code(refused), 'FORBIDDEN');
      assert.match(refused.errors![0]!.message, /^Chỉ công dân/);
      const noId = await mine({}, { ...citizen, personalId: undefined } as never);
      assert.equal(code(noId), 'FORBIDDEN');
    });

    it('the query is recorded: the citizen, their subjects hashed, the outcome; a refusal too', async () => {
      await h.running.audit.flush();
      const records = async (): Promise<AuditRecord[]> => {
        await h.running.audit.flush();
        const head = await log.head();
        return log.range(1, head?.seq ?? 1);
      };
      const before = (await records()).length;
      await mine({}, representative);
      await mine({}, OPERATOR);
      const written = (await records()).slice(before).filter((r) => r.action === 'myDataAccesses');
      const own = written.find((r) => r.user === representative.username);
      assert.ok(own, 'the representative’s look-up is recorded');
      assert.deepEqual([own.kind, own.source, own.outcome, own.agency], ['operation', 'monitoring', 'success', null]);
      assert.deepEqual(own.subjects, [testHasher(pid(RELATIVE)), testHasher({ kind: 'enterprise-code', value: ENTERPRISE })]);
      const refused = written.find((r) => r.user === OPERATOR.username);
      assert.deepEqual([refused?.outcome, refused?.errorCodes, refused?.subjects], ['denied', ['FORBIDDEN'], []]);
    });
  });
}
