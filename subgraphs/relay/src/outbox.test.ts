/**
 * `outbox`: the packets an agency sent, newest first, with every recipient's delivery, from the index the packet
 * store keeps per source agency (real Redis under a test prefix). Who may read it: the agency's systems and its
 * administrator (own agency), operators (any agency); a civil servant without the role, another agency: FORBIDDEN.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role, type Principal } from '@lgsp/kit';
import { A, AGENCY_A, AGENCY_B, AGENCY_C, B, OPERATOR, sendPacket, startHarness, type Harness } from './testing.ts';
import { relayKeys } from './store/keys.ts';

const OUTBOX = `query($first: Int, $after: String, $from: String, $to: String, $agencyCode: ID) {
  outbox(first: $first, after: $after, from: $from, to: $to, agencyCode: $agencyCode) {
    edges { cursor node { id title sourceAgencyCode createdAt deliveries { agencyCode status } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const person = (agencyCode: string, roles: string[]): Principal => ({ kind: 'user', agencyCode, userId: `u-${roles.join('-')}`, roles, scopes: [] });
const ADMIN_A = person(AGENCY_A, [Role.civilServant, Role.agencyAdmin]);
const CLERK_A = person(AGENCY_A, [Role.civilServant]);
const DEVELOPER_A = person(AGENCY_A, [Role.agencyDeveloper]);
const ADMIN_B = person(AGENCY_B, [Role.civilServant, Role.agencyAdmin]);

type Edge = {
  cursor: string;
  node: { id: string; title: string; sourceAgencyCode: string; createdAt: string; deliveries: Array<{ agencyCode: string; status: string }> };
};

describe('relay: outbox', () => {
  let h: Harness;
  const sent: string[] = [];
  before(async () => {
    h = await startHarness();
    const content = Buffer.from('Công văn đi');
    sent.push((await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, title: 'Gói 1' })).id);
    sent.push((await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B, AGENCY_C] }, title: 'Gói 2' })).id);
    sent.push((await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_C] }, title: 'Gói 3' })).id);
    // B's packet to A is in A's inbox, not its outbox.
    await sendPacket(h, B, content, { recipients: { agencyCodes: [AGENCY_A] }, title: 'Gói của B' });
  });
  after(async () => {
    await h.close();
  });

  const outbox = async (who: Principal, variables: Record<string, unknown> = {}) => h.gql(who, OUTBOX, { first: 10, ...variables });

  it("lists the agency's sent packets newest first with every recipient's delivery, from the index", async () => {
    const answer = await outbox(A);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const edges = answer.data!.outbox.edges as Edge[];
    assert.deepEqual(
      edges.map((e) => e.node.id),
      [...sent].reverse(),
    );
    assert.ok(edges.every((e) => e.node.sourceAgencyCode === AGENCY_A));
    assert.deepEqual(
      edges[1]!.node.deliveries.map((d) => d.agencyCode),
      [AGENCY_B, AGENCY_C],
      'the source sees every recipient',
    );
    assert.ok(
      edges[1]!.node.deliveries.every((d) => ['REQUESTED', 'QUEUED', 'NOTIFIED'].includes(d.status)),
      JSON.stringify(edges[1]!.node.deliveries),
    );
    // The index: a sorted set per source agency under the relay's prefix.
    assert.equal(await h.redis.zCard(relayKeys(h.keyPrefix).outbox(AGENCY_A)), 3);
    assert.equal(await h.redis.zCard(relayKeys(h.keyPrefix).outbox(AGENCY_B)), 1);
  });

  it('pages with cursors and filters by creation time', async () => {
    const page1 = await outbox(A, { first: 2 });
    const { edges, pageInfo } = page1.data!.outbox as { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    assert.deepEqual(
      edges.map((e) => e.node.id),
      [sent[2], sent[1]],
    );
    assert.equal(pageInfo.hasNextPage, true);
    const page2 = await outbox(A, { first: 2, after: pageInfo.endCursor });
    assert.deepEqual(
      (page2.data!.outbox.edges as Edge[]).map((e) => e.node.id),
      [sent[0]],
    );
    assert.equal(page2.data!.outbox.pageInfo.hasNextPage, false);
    const all = (await outbox(A)).data!.outbox.edges as Edge[];
    const secondAt = all[1]!.node.createdAt;
    const from = (await outbox(A, { from: secondAt })).data!.outbox.edges as Edge[];
    assert.ok(from.some((e) => e.node.id === sent[1]) && !from.some((e) => e.node.id === sent[0]));
    const to = (await outbox(A, { to: secondAt })).data!.outbox.edges as Edge[];
    assert.ok(!to.some((e) => e.node.id === sent[1]) && !to.some((e) => e.node.id === sent[2]));
    assert.deepEqual((await outbox(A, { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' })).data!.outbox.edges, []);
  });

  it("the agency's administrator reads its own; an operator any agency's, named", async () => {
    const admin = await outbox(ADMIN_A);
    assert.equal(admin.errors, undefined, JSON.stringify(admin.errors));
    assert.equal(admin.data!.outbox.edges.length, 3);
    assert.equal((await outbox(ADMIN_A, { agencyCode: AGENCY_A })).data!.outbox.edges.length, 3);
    const operator = await outbox(OPERATOR, { agencyCode: AGENCY_A });
    assert.equal(operator.errors, undefined, JSON.stringify(operator.errors));
    assert.equal(operator.data!.outbox.edges.length, 3);
    assert.equal((await outbox(OPERATOR, { agencyCode: AGENCY_B })).data!.outbox.edges.length, 1);
  });

  it('FORBIDDEN to anyone else: another agency, a civil servant or developer without the role; precise errors for bad input', async () => {
    const code = async (who: Principal, variables: Record<string, unknown> = {}) => {
      const answer = await outbox(who, variables);
      assert.equal(answer.data?.outbox ?? null, null);
      return answer.errors![0]!.extensions!.code;
    };
    assert.equal(await code(ADMIN_B, { agencyCode: AGENCY_A }), 'FORBIDDEN');
    assert.equal(await code(B, { agencyCode: AGENCY_A }), 'FORBIDDEN');
    assert.equal(await code(CLERK_A), 'FORBIDDEN');
    assert.equal(await code(DEVELOPER_A), 'FORBIDDEN');
    assert.equal(await code(A, { first: 101 }), 'LIMIT_EXCEEDED');
    assert.equal(await code(A, { first: -1 }), 'BAD_USER_INPUT');
    assert.equal(await code(A, { after: 'bogus' }), 'INVALID_CURSOR');
    assert.equal(await code(A, { from: 'yesterday' }), 'INVALID_DATE');
    assert.equal(await code(A, { from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }), 'BAD_USER_INPUT');
  });

  it('drops from the outbox a packet whose record expired with its retention', async () => {
    const id = sent[0]!;
    await h.redis.del(relayKeys(h.keyPrefix).packet(id)); // as its retention would
    const ids = ((await outbox(A)).data!.outbox.edges as Edge[]).map((e) => e.node.id);
    assert.ok(!ids.includes(id));
    assert.equal(await h.redis.zScore(relayKeys(h.keyPrefix).outbox(AGENCY_A), id), null, 'its entry is gone too');
  });
});
