/**
 * Issue 17: every registry change is also an audit record (`kind: 'change'`) naming its change log record — access
 * request transitions with the grants they write, credentials issued, rotated, disabled and deleted (never a secret)
 * — and a change that fails midway records nothing. Real HTTP, real Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@lgsp/audit';
import { registryGrantId } from '../ports/grants.ts';
import { adminOf, JUSTICE, OPERATOR, POLICE, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from '../testing.ts';

const SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;
const CLIENT = `${JUSTICE.toLowerCase()}.ho-tich-dien-tu.test`;

function ok(answer: GraphQLAnswer): Record<string, any> {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data!;
}

const submit = `mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state } }`;
const act = `mutation($id: ID!, $action: AccessAction!, $reason: String) { actOnAccessRequest(id: $id, action: $action, reason: $reason) { id state } }`;

describe('registry: audit records of changes', () => {
  let h: RegistryHarness;
  let requestId: string;
  const audit = async (): Promise<AuditRecord[]> => {
    await h.running.audit.writer.flush();
    return (await h.running.audit.log!.range(1, 10_000)).filter((r) => r.kind === 'change');
  };

  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('records an access request and the grant its approval writes, once each and after the change', async () => {
    const input = {
      consumerSystem: SYSTEM,
      serviceCode: 'national-data-citizen',
      fieldSets: ['national-data.citizen.basic'],
      purposes: ['civil-status'],
      legalBasis: 'Nghị định 47/2024/NĐ-CP, Điều 12',
      expectedRequestsPerDay: 100,
      securityCommitment: { signedBy: 'Nguyễn Văn B', text: 'Cam kết bảo đảm an toàn thông tin theo mẫu 03.' },
    };
    requestId = ok(await h.gql(adminOf(JUSTICE), submit, { input })).submitAccessRequest.id;
    ok(await h.gql(adminOf(POLICE), act, { id: requestId, action: 'APPROVE' }));
    // A second approval whose grant write fails changes nothing and records nothing.
    h.grants.failNextWrite(new Error('grant store down'));
    assert.ok((await h.gql(OPERATOR, act, { id: requestId, action: 'APPROVE' })).errors);
    assert.equal(ok(await h.gql(OPERATOR, act, { id: requestId, action: 'APPROVE' })).actOnAccessRequest.state, 'TESTING');

    const records = await audit();
    const grantId = registryGrantId(requestId, 'test');
    assert.deepEqual(
      records.filter((r) => r.entityId === requestId || r.entityId === grantId).map((r) => [r.service, r.action, r.user, r.agency]),
      [
        ['AccessRequest', 'SUBMIT', `${JUSTICE}@nghean.gov.vn`, JUSTICE],
        ['AccessRequest', 'APPROVE', `${POLICE}@nghean.gov.vn`, POLICE],
        ['AccessRequest', 'APPROVE', OPERATOR.kind === 'user' ? OPERATOR.username : null, OPERATOR.agencyCode],
        ['grant', 'put', OPERATOR.kind === 'user' ? OPERATOR.username : null, OPERATOR.agencyCode],
      ],
    );
    const grant = records.find((r) => r.entityId === grantId)!;
    assert.deepEqual([grant.environment, grant.counterpartAgency, grant.outcome, grant.source], ['test', JUSTICE, 'success', 'registry']);
    // Each audit record names its change log record, which holds the bodies the audit leaves out.
    const [changeRecord] = await h.changes.list({ entity: 'grant', id: grantId, limit: 1 });
    assert.equal(grant.details.changeId, changeRecord!.id);
    assert.equal(JSON.stringify(grant).includes('civil-status'), false, 'no before/after bodies in the audit');
  });

  it('records credentials issued, rotated, disabled and deleted, without their secrets', async () => {
    const issued = ok(
      await h.gql(
        adminOf(JUSTICE),
        `mutation { issueCredential(systemId: "${SYSTEM}", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
      ),
    ).issueCredential;
    assert.equal(issued.clientId, CLIENT);
    const rotated = ok(await h.gql(adminOf(JUSTICE), `mutation { rotateCredential(clientId: "${CLIENT}") { secret } }`)).rotateCredential;
    ok(await h.gql(adminOf(JUSTICE), `mutation { setCredentialEnabled(clientId: "${CLIENT}", enabled: false, reason: "tạm dừng") { id } }`));
    ok(await h.gql(adminOf(JUSTICE), `mutation { deleteCredential(clientId: "${CLIENT}", reason: "hết dùng") { id } }`));

    const records = (await audit()).filter((r) => r.entityId === CLIENT);
    assert.deepEqual(
      records.map((r) => [r.service, r.action, r.agency, r.counterpartAgency]),
      [
        ['Credential', 'ISSUE', JUSTICE, JUSTICE],
        ['Credential', 'ROTATE', JUSTICE, JUSTICE],
        ['Credential', 'DISABLE', JUSTICE, null],
        ['Credential', 'DELETE', JUSTICE, null],
      ],
    );
    assert.equal(records[0]!.environment, 'test');
    const text = JSON.stringify(await h.running.audit.log!.range(1, 10_000));
    for (const secret of [issued.secret, rotated.secret]) assert.equal(text.includes(secret), false, 'a secret reached the audit log');
  });

  it('keeps one audit record per change log record', async () => {
    const changes = await h.changes.list({ limit: 1000 });
    const records = await audit();
    assert.deepEqual(records.map((r) => r.details.changeId).sort(), changes.map((c) => c.id).sort());
  });
});
