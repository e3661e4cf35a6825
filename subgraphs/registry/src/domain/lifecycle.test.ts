/**
 * The registry's rules that depend on time, tested directly on the domain with a clock the test moves: the 60-day
 * retirement notice and the 180-day keep of a superseded version (App01 §3.5), retirement cancelling requests and
 * removing their grants, overdue flags after 5 working days (BG:14.3, DL:11.2) with their metric, and scheduled agency
 * changes taking effect at their date.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createLogger, createMetricsRegistry, ErrorCode, LgspError } from '@lgsp/kit';
import { seedRegistry } from '../data/seed.ts';
import { defaultWorkingCalendar } from '../data/calendar/index.ts';
import { createRegistryMetrics } from '../metrics.ts';
import { createMemoryChangeLog } from '@lgsp/access';
import { createMemoryCredentialIssuer, createMemoryCredentialRevocations } from '../ports/credentials.ts';
import { createMemoryRegistryEvents } from '../ports/events.ts';
import { createMemoryGrantStore, registryGrantId } from '../ports/grants.ts';
import { createMemoryRegistryStore } from '../store/memory-registry-store.ts';
import { adminOf, FINANCE, JUSTICE, OPERATOR, POLICE } from '../testing.ts';
import { callerFrom } from './caller.ts';
import type { ServiceProposal } from './model.ts';
import { Registry } from './registry.ts';

const DAY = 86_400_000;
/** Monday 7 December 2026, 09:00 in Hà Nội. */
const T0 = Date.parse('2026-12-07T02:00:00Z');

const operator = callerFrom(OPERATOR);
const police = callerFrom(adminOf(POLICE));
const finance = callerFrom(adminOf(FINANCE));
const justice = callerFrom(adminOf(JUSTICE));

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof LgspError && error.code === code);
}

describe('registry lifecycle rules over time', () => {
  let clock = T0;
  let registry: Registry;
  let grants: ReturnType<typeof createMemoryGrantStore>;
  let events: ReturnType<typeof createMemoryRegistryEvents>;
  let metrics: ReturnType<typeof createMetricsRegistry>;

  beforeEach(async () => {
    clock = T0;
    const store = createMemoryRegistryStore();
    await seedRegistry(store, undefined, new Date(T0));
    grants = createMemoryGrantStore();
    events = createMemoryRegistryEvents();
    metrics = createMetricsRegistry('registry-test');
    registry = new Registry({
      store,
      grants,
      changes: createMemoryChangeLog(),
      issuer: createMemoryCredentialIssuer(),
      revocations: createMemoryCredentialRevocations(),
      events,
      calendar: defaultWorkingCalendar(),
      logger: createLogger('registry', 'silent'),
      metrics: createRegistryMetrics(metrics),
      now: () => new Date(clock),
    });
  });

  const request = (
    consumer = justice,
    system = `${JUSTICE}:ho-tich-dien-tu`,
    serviceCode = 'national-data-citizen',
    fieldSets = ['national-data.citizen.basic'],
  ) =>
    registry.accessRequests.submit(consumer, {
      consumerSystem: system,
      serviceCode,
      fieldSets,
      purposes: ['civil-status'],
      legalBasis: 'Luật Hộ tịch 2014',
      expectedRequestsPerDay: 100,
      securityCommitment: { signedBy: 'Giám đốc Sở', text: 'Cam kết mẫu 03' },
    });

  const approveBoth = async (id: string) => {
    await registry.accessRequests.act(police.agencyCode === POLICE ? police : finance, id, 'APPROVE');
    await registry.accessRequests.act(operator, id, 'APPROVE');
  };

  it('counts 5 working days from receipt and flags a request once when they have passed, with its metric and events', async () => {
    const submitted = await request();
    // Received Monday 7 December 2026 in office hours: due at the end of Monday 14 December (Hà Nội).
    assert.equal(submitted.dueAt, '2026-12-14T17:00:00.000Z');
    clock = Date.parse('2026-12-14T16:59:00Z');
    assert.equal((await registry.sweep()).accessRequestsFlagged, 0);
    clock = Date.parse('2026-12-14T17:00:00Z');
    const sweep = await registry.sweep();
    assert.equal(sweep.accessRequestsFlagged, 1);
    assert.equal(sweep.accessRequestsOverdue, 1);
    assert.equal((await registry.sweep()).accessRequestsFlagged, 0, 'flagged once');
    const text = await metrics.metrics();
    assert.match(text, /lgsp_registry_overdue_flagged_total\{kind="access-request",service="registry-test"\} 1/);
    assert.match(text, /lgsp_registry_overdue\{kind="access-request",service="registry-test"\} 1/);
    const flagged = events.announced.filter((e) => e.fields.action === 'OVERDUE');
    assert.deepEqual(flagged.map((e) => e.agency).sort(), [POLICE, JUSTICE].sort());
    const listed = await registry.accessRequests.list(operator, { overdue: true });
    assert.deepEqual(
      listed.map((r) => r.id),
      [submitted.id],
    );
    // Answering stops the clock and clears the flag; the gauge follows at the next sweep.
    await approveBoth(submitted.id);
    const answered = (await registry.accessRequests.get(operator, submitted.id))!;
    assert.equal(answered.overdue, false);
    assert.equal(answered.dueAt, null);
    assert.equal((await registry.sweep()).accessRequestsOverdue, 0);
    assert.match(await metrics.metrics(), /lgsp_registry_overdue\{kind="access-request",service="registry-test"\} 0/);
  });

  it('refuses a retirement notice shorter than 60 days and a retirement before it, then retires: requests cancelled, grants removed', async () => {
    const submitted = await request();
    await approveBoth(submitted.id);
    assert.ok(await grants.get(registryGrantId(submitted.id, 'test')));
    await rejects(registry.services.retire(police, 'national-data-citizen', 1), ErrorCode.ILLEGAL_TRANSITION);
    await rejects(
      registry.services.announceRetirement(police, 'national-data-citizen', 1, {
        reason: 'thay bằng dịch vụ mới',
        sunsetAt: new Date(T0 + 59 * DAY).toISOString(),
      }),
      ErrorCode.ILLEGAL_TRANSITION,
    );
    await rejects(
      registry.services.announceRetirement(finance, 'national-data-citizen', 1, { reason: 'x', sunsetAt: new Date(T0 + 90 * DAY).toISOString() }),
      ErrorCode.FORBIDDEN,
    );
    await rejects(registry.services.announceRetirement(police, 'national-data-citizen', 1, { reason: 'x', sunsetAt: '2027-02-30' }), ErrorCode.INVALID_DATE);
    const noticed = await registry.services.announceRetirement(police, 'national-data-citizen', 1, {
      reason: 'thay bằng dịch vụ mới',
      sunsetAt: new Date(T0 + 60 * DAY).toISOString(),
    });
    assert.equal(noticed.notice?.sunsetAt, new Date(T0 + 60 * DAY).toISOString());
    assert.ok(events.announced.some((e) => e.family === 'service-notice' && e.agency === JUSTICE && e.fields.change === 'RETIREMENT_ANNOUNCED'));

    clock = T0 + 60 * DAY - 1;
    await rejects(registry.services.retire(police, 'national-data-citizen', 1), ErrorCode.ILLEGAL_TRANSITION);
    clock = T0 + 60 * DAY;
    const retired = await registry.services.retire(police, 'national-data-citizen', 1);
    assert.equal(retired.status, 'RETIRED');
    const after = (await registry.accessRequests.get(operator, submitted.id))!;
    assert.equal(after.state, 'CANCELLED');
    assert.deepEqual(after.history.at(-1), { ...after.history.at(-1), action: 'RETIRE', party: 'SYSTEM' });
    assert.equal(await grants.get(registryGrantId(submitted.id, 'test')), null);
    assert.equal((await registry.services.get('national-data-citizen'))?.status, 'RETIRED');
    await rejects(registry.services.retire(police, 'national-data-citizen', 1), ErrorCode.ILLEGAL_TRANSITION);
    await rejects(request(), ErrorCode.ILLEGAL_TRANSITION);
  });

  it('keeps a superseded version at least 180 days, whatever its notice says', async () => {
    const v1 = (await registry.services.version('national-data-enterprise', 1))!;
    const update: ServiceProposal = {
      code: 'national-data-enterprise',
      name: 'Tra cứu doanh nghiệp',
      providerSystem: `${FINANCE}:dang-ky-kinh-doanh`,
      kind: 'SUBGRAPH',
      subgraph: 'national-data',
      relayDataType: null,
      description: v1.description,
      fieldSets: v1.fieldSets,
      deprecatedFields: [{ coordinate: 'Enterprise.headOfficeText', reason: 'use headOffice' }],
    };
    const submitted = await request(justice, `${JUSTICE}:ho-tich-dien-tu`, 'national-data-enterprise', ['national-data.enterprise.basic']);
    await registry.accessRequests.act(finance, submitted.id, 'APPROVE');
    await registry.accessRequests.act(operator, submitted.id, 'APPROVE');
    const pending = await registry.services.submitRegistration(finance, FINANCE, update);
    assert.equal(pending.state, 'UPDATE_PENDING');
    assert.equal(pending.clock, 'UPDATE');
    await registry.services.actOnRegistration(operator, pending.id, 'APPROVE');
    const deprecated = (await registry.services.version('national-data-enterprise', 1))!;
    assert.equal(deprecated.status, 'DEPRECATED');
    assert.equal(deprecated.keepUntil, new Date(T0 + 180 * DAY).toISOString());
    assert.ok(events.announced.some((e) => e.family === 'service-notice' && e.agency === JUSTICE && e.fields.change === 'DEPRECATED'));
    // New requests go to version 2; version 1 is no longer offered.
    await rejects(
      registry.accessRequests.submit(callerFrom(adminOf('000.00.20.H41')), {
        consumerSystem: '000.00.20.H41:mot-cua-phuong-truong-vinh',
        serviceCode: 'national-data-enterprise',
        serviceVersion: 1,
        fieldSets: ['national-data.enterprise.basic'],
        purposes: ['business'],
        legalBasis: 'x',
        expectedRequestsPerDay: 1,
        securityCommitment: { signedBy: 'x', text: 'x' },
      }),
      ErrorCode.ILLEGAL_TRANSITION,
    );
    await rejects(
      registry.services.announceRetirement(finance, 'national-data-enterprise', 1, { reason: 'x', sunsetAt: new Date(T0 + 100 * DAY).toISOString() }),
      ErrorCode.ILLEGAL_TRANSITION,
    );
    clock = T0 + 179 * DAY;
    await rejects(registry.services.retire(operator, 'national-data-enterprise', 1), ErrorCode.ILLEGAL_TRANSITION);
    clock = T0 + 180 * DAY;
    assert.equal((await registry.services.retire(operator, 'national-data-enterprise', 1)).status, 'RETIRED');
    assert.equal((await registry.services.get('national-data-enterprise'))?.status, 'ACTIVE', 'version 2 still serves');
    assert.equal((await registry.accessRequests.get(operator, submitted.id))?.state, 'CANCELLED');
    assert.deepEqual(await registry.services.notices(), []);
  });

  it('applies a scheduled agency change when its date comes', async () => {
    const at = new Date(T0 + 10 * DAY).toISOString();
    const scheduled = await registry.agencies.changeLifecycle(operator, '000.00.21.H41', {
      status: 'MERGED',
      successorCodes: ['000.00.20.H41'],
      effectiveFrom: at,
    });
    assert.equal(scheduled.status, 'ACTIVE');
    assert.equal((await registry.sweep()).agencyChangesApplied, 0);
    clock = T0 + 10 * DAY;
    assert.equal((await registry.sweep()).agencyChangesApplied, 1);
    const merged = (await registry.agencies.get('000.00.21.H41'))!;
    assert.deepEqual([merged.status, merged.successorCodes, merged.effectiveFrom, merged.scheduled], ['MERGED', ['000.00.20.H41'], at, null]);
    assert.ok(events.announced.some((e) => e.family === 'agency-changed' && e.fields.change === 'MERGED_EFFECTIVE'));
    // Nothing is granted to a merged agency any more.
    const submitted = await request(callerFrom(adminOf('000.00.20.H41')), '000.00.20.H41:mot-cua-phuong-truong-vinh');
    await registry.agencies.changeLifecycle(operator, '000.00.20.H41', { status: 'RENAMED', successorCodes: ['000.01.06.H41'] });
    await rejects(registry.accessRequests.act(police, submitted.id, 'APPROVE'), ErrorCode.ILLEGAL_TRANSITION);
    assert.equal((await registry.accessRequests.act(operator, submitted.id, 'CANCEL', { reason: 'cơ quan đã đổi tên' })).state, 'CANCELLED');
  });
});
