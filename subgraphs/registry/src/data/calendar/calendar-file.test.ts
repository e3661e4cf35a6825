import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { deadline } from '../../domain/working-days/index.ts';
import { loadWorkingCalendar } from './index.ts';

const dir = await mkdtemp(join(tmpdir(), 'lgsp-calendar-'));
after(() => rm(dir, { recursive: true, force: true }));

test('REGISTRY_CALENDAR_FILE extends the shipped table; without it the table alone counts', async () => {
  const file = join(dir, 'calendar.json');
  await writeFile(
    file,
    JSON.stringify({
      about: 'Quyết định của UBND tỉnh: nghỉ bù cho ngày bầu cử',
      days: [{ date: '2026-03-16', kind: 'DAY_OFF', name: 'Nghỉ bù ngày bầu cử', basis: 'UBND tỉnh' }],
    }),
  );
  const received = new Date('2026-03-13T10:00:00+07:00');
  assert.equal(deadline(received, 5, await loadWorkingCalendar()).dueDay, '2026-03-20');
  assert.equal(deadline(received, 5, await loadWorkingCalendar('')).dueDay, '2026-03-20');
  const extended = await loadWorkingCalendar(file);
  assert.equal(extended.days.get('2026-03-16')?.source, 'OPERATOR');
  assert.equal(deadline(received, 5, extended).dueDay, '2026-03-23');
});

test('a file that is missing, not JSON or not a calendar extension is refused, naming the file and the problem', async () => {
  const notJson = join(dir, 'broken.json');
  await writeFile(notJson, '{ days: ');
  const wrongShape = join(dir, 'wrong.json');
  await writeFile(wrongShape, JSON.stringify({ days: [{ date: '2026-13-01', kind: 'HOLIDAY', name: 'x', basis: 'y' }] }));
  for (const [file, problem] of [
    [join(dir, 'absent.json'), /cannot be read/],
    [notJson, /is not a calendar extension/],
    [wrongShape, /days\.0\.date/],
  ] as const)
    await assert.rejects(loadWorkingCalendar(file), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, problem);
      return true;
    });
});
