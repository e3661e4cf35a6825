import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileAgencyDirectory } from './agency-directory.ts';

describe('agency directory (development data of the catalogs)', () => {
  const directory = createFileAgencyDirectory();

  it('knows the development agencies and their units', async () => {
    assert.equal((await directory.get('000.00.00.H41'))?.shortName, 'UBND tỉnh Nghệ An');
    assert.equal(await directory.get('000.00.00.X99'), null);
    const units = await directory.children('000.00.05.H41');
    assert.deepEqual(
      units.map((u) => u.code),
      ['000.01.05.H41'],
    );
  });

  it('searches names without accents, best match first', async () => {
    assert.deepEqual((await directory.search('so y te', 5)).map((a) => a.code)[0], '000.00.05.H41');
    assert.deepEqual(await directory.search('   ', 5), []);
  });

  it('lets listed agencies exchange with each other, never with themselves or strangers', async () => {
    assert.equal(await directory.mayReceive('000.00.03.H41', '000.00.04.H41'), true);
    assert.equal(await directory.mayReceive('000.00.03.H41', '000.00.03.H41'), false);
    assert.equal(await directory.mayReceive('000.00.03.H41', '999.99.99.H41'), false);
  });
});
