import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLevel2 } from './level2.ts';

test('the documented level-2 shape is read, checks and all', () => {
  assert.deepEqual(
    parseLevel2({
      status: 'DEGRADED',
      checks: [
        { name: 'database', status: 'UP' },
        { name: 'cache', status: 'DOWN', detail: 'timeout' },
      ],
    }),
    {
      ok: true,
      status: 'DEGRADED',
      checks: [
        { name: 'database', status: 'UP', detail: null },
        { name: 'cache', status: 'DOWN', detail: 'timeout' },
      ],
    },
  );
});

test("Spring Boot Actuator's shape is accepted (OUT_OF_SERVICE is DOWN)", () => {
  assert.deepEqual(parseLevel2({ status: 'UP', components: { db: { status: 'UP' }, mail: { status: 'OUT_OF_SERVICE' } } }), {
    ok: true,
    status: 'UP',
    checks: [
      { name: 'db', status: 'UP', detail: null },
      { name: 'mail', status: 'DOWN', detail: null },
    ],
  });
});

test('anything else is malformed, with the reason', () => {
  assert.equal(parseLevel2('UP').ok, false);
  assert.equal(parseLevel2({ status: 'GREEN' }).ok, false);
  assert.equal(parseLevel2({ status: 'UP', checks: [{ status: 'UP' }] }).ok, false);
  assert.equal(parseLevel2([]).ok, false);
});
