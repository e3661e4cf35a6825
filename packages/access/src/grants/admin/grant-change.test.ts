import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleGrant } from '../grant-store.contract.ts';
import { compareGrant, describeChange } from './grant-change.ts';

describe('compareGrant / describeChange', () => {
  const grant = sampleGrant('g', { purposes: ['public-service', 'education'], rowCondition: { residentOfWard: '16690' }, basis: 'QĐ 123' });

  it('created, and unchanged whatever the key order of the JSON', () => {
    assert.equal(compareGrant(null, grant).kind, 'created');
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(grant).reverse())));
    assert.deepEqual(compareGrant(grant, reordered), { kind: 'unchanged', grant: reordered });
  });

  it('replaced: list members added and removed, values before → after, fields unset shown as (none), in schema order', () => {
    const change = compareGrant(grant, { ...sampleGrant('g', { purposes: ['education', 'statistics'], rowCondition: { residentOfWard: '16750' } }) });
    assert.equal(
      describeChange(change, false),
      [
        'replaced g:',
        '    purposes: +statistics -public-service',
        '    rowCondition: {"residentOfWard":"16690"} → {"residentOfWard":"16750"}',
        '    basis: QĐ 123 → (none)',
      ].join('\n'),
    );
    assert.match(describeChange(change, true), /^would replace g:/);
  });

  it('a list with the same members in another order: the order is what changed', () => {
    const change = compareGrant(grant, { ...grant, purposes: ['education', 'public-service'] });
    assert.equal(describeChange(change, false), 'replaced g:\n    purposes: ["public-service","education"] → ["education","public-service"]');
  });
});
