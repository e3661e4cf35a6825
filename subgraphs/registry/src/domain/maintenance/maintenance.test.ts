/**
 * Maintenance windows and incidents on the registry's domain with a clock the test moves: the 24-hour rule and the
 * emergency exception, windows in the past or of absurd length refused with INVALID_MAINTENANCE_WINDOW, changes and
 * cancellations before and after the start, the sweep's STARTED/ENDED, the change log naming the operator, and
 * incidents told to the agencies they affect.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createMemoryChangeLog } from '@lgsp/access';
import { createLogger, LgspError } from '@lgsp/kit';
import { seedRegistry } from '../../data/seed.ts';
import { defaultWorkingCalendar } from '../../data/calendar/index.ts';
import { createMemoryCredentialIssuer, createMemoryCredentialRevocations } from '../../ports/credentials.ts';
import { createMemoryRegistryEvents } from '../../ports/events.ts';
import { createMemoryGrantStore } from '../../ports/grants.ts';
import { createMemoryRegistryStore } from '../../store/memory-registry-store.ts';
import { adminOf, FINANCE, JUSTICE, OPERATOR, POLICE } from '../../testing.ts';
import { callerFrom } from '../caller.ts';
import { PLATFORM, Registry } from '../registry.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const operator = callerFrom(OPERATOR);
const justice = callerFrom(adminOf(JUSTICE));
const finance = callerFrom(adminOf(FINANCE));

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LgspError, String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

describe('maintenance windows and incidents', () => {
  let clock = T0;
  let registry: Registry;
  let events: ReturnType<typeof createMemoryRegistryEvents>;
  let changes: ReturnType<typeof createMemoryChangeLog>;

  beforeEach(async () => {
    clock = T0;
    const store = createMemoryRegistryStore();
    await seedRegistry(store, undefined, new Date(T0));
    events = createMemoryRegistryEvents();
    changes = createMemoryChangeLog();
    registry = new Registry({
      store,
      grants: createMemoryGrantStore(),
      changes,
      issuer: createMemoryCredentialIssuer(),
      revocations: createMemoryCredentialRevocations(),
      events,
      calendar: defaultWorkingCalendar(),
      logger: createLogger('registry', 'silent'),
      now: () => new Date(clock),
    });
  });

  const planned = (startH: number, lengthH = 2, extra: Record<string, unknown> = {}) => ({
    startsAt: at(T0 + startH * HOUR),
    endsAt: at(T0 + (startH + lengthH) * HOUR),
    summary: 'Nâng cấp cơ sở dữ liệu',
    reason: 'Nâng cấp Redis lên phiên bản mới',
    ...extra,
  });
  const published = () => events.announced.filter((e) => e.family === 'maintenance-announced').map((e) => e.fields);

  it('lets only the operator announce; a planned window starts at least 24 hours later', async () => {
    await rejects(registry.maintenance.announce(justice, planned(48)), 'FORBIDDEN');
    await rejects(registry.maintenance.announce(operator, planned(23)), 'INVALID_MAINTENANCE_WINDOW', /at least 24 hours.*emergency: true/);
    const w = await registry.maintenance.announce(operator, planned(24));
    assert.equal(w.status, 'SCHEDULED');
    assert.equal(w.emergency, false);
    assert.equal(w.announcedBy, OPERATOR.username);
    assert.deepEqual(published().at(-1), {
      kind: 'MAINTENANCE',
      id: w.id,
      change: 'ANNOUNCED',
      summary: 'Nâng cấp cơ sở dữ liệu',
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      emergency: 'false',
      occurredAt: at(T0),
    });
    const [record] = await changes.list({ entity: 'MaintenanceWindow', id: w.id, limit: 5 });
    assert.equal(record?.action, 'ANNOUNCE');
    assert.equal(record?.actor.username, OPERATOR.username);
  });

  it('accepts a window at once as an emergency, recorded as such with its reason', async () => {
    const w = await registry.maintenance.announce(operator, planned(0, 1, { emergency: true, reason: 'Lỗ hổng bảo mật phải vá ngay' }));
    assert.equal(w.emergency, true);
    assert.equal(w.status, 'IN_PROGRESS');
    assert.equal(w.reason, 'Lỗ hổng bảo mật phải vá ngay');
    const [record] = await changes.list({ entity: 'MaintenanceWindow', id: w.id, limit: 5 });
    assert.equal(record?.action, 'ANNOUNCE_EMERGENCY');
  });

  it('refuses windows in the past, ending before they start, too short or too long, with precise messages', async () => {
    await rejects(registry.maintenance.announce(operator, planned(-2, 1, { emergency: true })), 'INVALID_MAINTENANCE_WINDOW', /is in the past/);
    await rejects(registry.maintenance.announce(operator, planned(48, 0)), 'INVALID_MAINTENANCE_WINDOW', /endsAt .* must be after startsAt/);
    await rejects(registry.maintenance.announce(operator, planned(48, -1)), 'INVALID_MAINTENANCE_WINDOW', /must be after/);
    await rejects(registry.maintenance.announce(operator, planned(48, 73)), 'INVALID_MAINTENANCE_WINDOW', /73\.0 hours, more than the 72/);
    await rejects(registry.maintenance.announce(operator, planned(48, 0.01)), 'INVALID_MAINTENANCE_WINDOW', /less than 1 minute/);
    await rejects(registry.maintenance.announce(operator, planned(24 * 400)), 'INVALID_MAINTENANCE_WINDOW', /more than 366 days/);
    await rejects(registry.maintenance.announce(operator, { ...planned(48), startsAt: 'tomorrow' }), 'INVALID_DATE');
    await rejects(registry.maintenance.announce(operator, planned(48, 2, { affectedServices: ['no-such-service'] })), 'NOT_FOUND');
    await rejects(registry.maintenance.announce(operator, planned(48, 2, { summary: '  ' })), 'BAD_USER_INPUT');
    const many = Array.from({ length: 51 }, (_, i) => `000.00.${String(i + 10).padStart(2, '0')}.H41`);
    await rejects(registry.maintenance.recordIncident(operator, { summary: 'x', affectedAgencies: many, startedAt: at(T0) }), 'BAD_USER_INPUT', /at most 50/);
    assert.deepEqual(await registry.maintenance.windows({ includePast: true }), []);
  });

  it('moves a window later freely, earlier only with 24 hours notice or as an emergency', async () => {
    const w = await registry.maintenance.announce(operator, planned(30, 2, { affectedServices: ['national-data-citizen'] }));
    const later = await registry.maintenance.change(operator, w.id, { startsAt: at(T0 + 40 * HOUR), endsAt: at(T0 + 42 * HOUR) });
    assert.equal(later.startsAt, at(T0 + 40 * HOUR));
    assert.deepEqual(later.affectedServices, ['national-data-citizen']);
    clock = T0 + 20 * HOUR; // 20 h before the start: moving it later needs no new notice
    await registry.maintenance.change(operator, w.id, { startsAt: at(T0 + 41 * HOUR), endsAt: at(T0 + 43 * HOUR) });
    await rejects(registry.maintenance.change(operator, w.id, { startsAt: at(T0 + 30 * HOUR) }), 'INVALID_MAINTENANCE_WINDOW', /at least 24 hours/);
    const moved = await registry.maintenance.change(operator, w.id, { startsAt: at(T0 + 30 * HOUR), emergency: true, reason: 'Sự cố phần cứng' });
    assert.equal(moved.emergency, true);
    await rejects(registry.maintenance.change(finance, w.id, { summary: 'x' }), 'FORBIDDEN');
    assert.deepEqual(
      published().map((f) => f.change),
      ['ANNOUNCED', 'CHANGED', 'CHANGED', 'CHANGED'],
    );
  });

  it('starts and ends with the sweep; a started window may be extended or ended early, never moved into the past', async () => {
    const w = await registry.maintenance.announce(operator, planned(24, 4));
    assert.equal((await registry.sweep()).maintenanceAnnounced, 0);
    clock = T0 + 25 * HOUR;
    assert.equal((await registry.maintenance.window(w.id))?.status, 'IN_PROGRESS');
    assert.equal((await registry.sweep()).maintenanceAnnounced, 1);
    assert.equal((await registry.sweep()).maintenanceAnnounced, 0, 'each change is announced once');
    await rejects(registry.maintenance.change(operator, w.id, { startsAt: at(T0 + 26 * HOUR) }), 'INVALID_MAINTENANCE_WINDOW', /has started/);
    await rejects(registry.maintenance.change(operator, w.id, { endsAt: at(T0 + 24.5 * HOUR) }), 'INVALID_MAINTENANCE_WINDOW', /in the past/);
    const extended = await registry.maintenance.change(operator, w.id, { endsAt: at(T0 + 30 * HOUR) });
    assert.equal(extended.endsAt, at(T0 + 30 * HOUR));
    clock = T0 + 26 * HOUR;
    const ended = await registry.maintenance.cancel(operator, w.id, 'Hoàn thành sớm');
    assert.equal(ended.status, 'COMPLETED');
    assert.equal(ended.endsAt, at(T0 + 26 * HOUR));
    assert.equal(ended.endedEarlyAt, at(T0 + 26 * HOUR));
    assert.equal((await registry.sweep()).maintenanceAnnounced, 0, 'ended early: no second ENDED');
    await rejects(registry.maintenance.cancel(operator, w.id, 'again'), 'ILLEGAL_TRANSITION');
    assert.deepEqual(
      published().map((f) => f.change),
      ['ANNOUNCED', 'STARTED', 'CHANGED', 'ENDED'],
    );
    assert.deepEqual(await registry.maintenance.windows(), []);
    assert.equal((await registry.maintenance.windows({ includePast: true })).length, 1);
    const log = await changes.list({ entity: 'MaintenanceWindow', id: w.id, limit: 10 });
    assert.deepEqual(
      log.map((r) => [r.action, r.actor.username]),
      [
        ['END_EARLY', OPERATOR.username],
        ['CHANGE', OPERATOR.username],
        ['START', PLATFORM.actor.username],
        ['ANNOUNCE', OPERATOR.username],
      ],
    );
  });

  it('cancels a window before it starts; the sweep then announces nothing; windows filter by period', async () => {
    const a = await registry.maintenance.announce(operator, planned(30));
    const b = await registry.maintenance.announce(operator, planned(100));
    const cancelled = await registry.maintenance.cancel(operator, a.id, 'Hoãn');
    assert.equal(cancelled.status, 'CANCELLED');
    clock = T0 + 31 * HOUR;
    assert.equal((await registry.sweep()).maintenanceAnnounced, 0);
    assert.deepEqual(
      (await registry.maintenance.windows()).map((w) => w.id),
      [b.id],
    );
    assert.deepEqual(await registry.maintenance.windows({ from: at(T0 + 103 * HOUR) }), []);
    assert.deepEqual(
      (await registry.maintenance.windows({ from: at(T0), to: at(T0 + 100 * HOUR), includePast: true })).map((w) => w.id),
      [a.id, b.id],
    );
    await rejects(registry.maintenance.windows({ from: at(T0 + HOUR), to: at(T0) }), 'INVALID_PERIOD');
  });

  it('records incidents, tells the affected agencies, and shows each agency only its own', async () => {
    await rejects(registry.maintenance.recordIncident(justice, { summary: 'x', affectedAgencies: [JUSTICE], startedAt: at(T0) }), 'FORBIDDEN');
    await rejects(
      registry.maintenance.recordIncident(operator, { summary: 'x', affectedAgencies: ['000.01.00.H41'], startedAt: at(T0) }),
      'INVALID_AGENCY_CODE',
    );
    await rejects(
      registry.maintenance.recordIncident(operator, { summary: 'x', affectedAgencies: [JUSTICE], startedAt: at(T0), expectedFixAt: at(T0 - HOUR) }),
      'BAD_USER_INPUT',
    );
    const incident = await registry.maintenance.recordIncident(operator, {
      summary: 'Mất kết nối tới CSDL dân cư',
      affectedAgencies: [JUSTICE, POLICE],
      affectedServices: ['national-data-citizen'],
      startedAt: at(T0 - HOUR),
      expectedFixAt: at(T0 + 2 * HOUR),
    });
    assert.deepEqual(published().at(-1), {
      kind: 'INCIDENT',
      id: incident.id,
      change: 'RECORDED',
      summary: 'Mất kết nối tới CSDL dân cư',
      startsAt: at(T0 - HOUR),
      affectedAgencies: `${POLICE},${JUSTICE}`,
      affectedServices: 'national-data-citizen',
      expectedFixAt: at(T0 + 2 * HOUR),
      occurredAt: at(T0),
    });
    assert.equal((await registry.maintenance.incidents(justice)).length, 1);
    assert.deepEqual(await registry.maintenance.incidents(finance), []);
    assert.equal(await registry.maintenance.incident(finance, incident.id), null);
    const updated = await registry.maintenance.updateIncident(operator, incident.id, { expectedFixAt: at(T0 + 4 * HOUR) });
    assert.equal(updated.expectedFixAt, at(T0 + 4 * HOUR));
    clock = T0 + 3 * HOUR;
    const resolved = await registry.maintenance.resolveIncident(operator, incident.id, 'Đã khôi phục đường truyền');
    assert.equal(resolved.resolvedAt, at(T0 + 3 * HOUR));
    await rejects(registry.maintenance.resolveIncident(operator, incident.id, 'again'), 'ILLEGAL_TRANSITION');
    await rejects(registry.maintenance.updateIncident(operator, incident.id, { summary: 'x' }), 'ILLEGAL_TRANSITION');
    assert.deepEqual(await registry.maintenance.incidents(operator, { open: true }), []);
    assert.equal((await registry.maintenance.incidents(operator, { open: false })).length, 1);
    assert.deepEqual(
      published().map((f) => f.change),
      ['RECORDED', 'UPDATED', 'RESOLVED'],
    );
    assert.deepEqual(
      (await changes.list({ entity: 'Incident', id: incident.id, limit: 5 })).map((r) => r.action),
      ['RESOLVE', 'UPDATE', 'RECORD'],
    );
  });
});
