/** The fake agency systems' health endpoints over HTTP, and their control. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from './service.ts';

describe('fake agency systems (health endpoints for the monitoring)', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({
      PORT: 0,
      LOG_LEVEL: 'silent',
      SIMULATOR_CITIZENS: 10,
      SIMULATOR_ENTERPRISES: 10,
      SIMULATOR_TEST_CITIZENS: 10,
      SIMULATOR_TEST_ENTERPRISES: 10,
    });
  });
  after(async () => {
    await sim.close();
  });
  const id = '000.00.04.H41:ho-tich-dien-tu';

  it('answers UP at both levels until told otherwise', async () => {
    const { live, ready } = sim.agencySystemEndpoints(id);
    assert.match(live, /\/agency-systems\/000\.00\.04\.H41%3Aho-tich-dien-tu\/health\/live$/);
    const one = await fetch(live);
    assert.equal(one.status, 200);
    assert.deepEqual(await one.json(), { status: 'UP' });
    const two = (await (await fetch(ready)).json()) as { status: string; checks: Array<{ name: string; status: string }> };
    assert.equal(two.status, 'UP');
    assert.deepEqual(
      two.checks.map((c) => c.name),
      ['database', 'cache', 'national-data'],
    );
  });

  it('is set DOWN, DEGRADED, REFUSE or HANG through PUT /_sim/agency-systems/<id>; bad states are refused', async () => {
    const { live, ready } = sim.agencySystemEndpoints(id);
    const put = (state: string) =>
      fetch(`${sim.url}/_sim/agency-systems/${encodeURIComponent(id)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state }),
      });
    assert.equal((await put('SIDEWAYS')).status, 400);
    assert.equal((await put('DOWN')).status, 200);
    assert.equal((await fetch(live)).status, 503);
    const down = (await (await fetch(ready)).json()) as { status: string; checks: Array<{ name: string; status: string }> };
    assert.equal(down.status, 'DOWN');
    assert.equal(down.checks.find((c) => c.name === 'database')?.status, 'DOWN');
    assert.deepEqual(await (await fetch(`${sim.url}/_sim/agency-systems`)).json(), { [id]: 'DOWN' });
    await put('DEGRADED');
    assert.equal(((await (await fetch(ready)).json()) as { status: string }).status, 'DEGRADED');
    await put('REFUSE');
    await assert.rejects(fetch(live));
    await put('HANG');
    await assert.rejects(fetch(live, { signal: AbortSignal.timeout(200) }), /TimeoutError|aborted/i);
    sim.setAgencySystem(id, 'UP');
    assert.equal((await fetch(live)).status, 200);
  });
});
