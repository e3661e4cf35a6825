import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from './contract-fixture.ts';

describe('contractFixture', () => {
  const log: string[] = [];

  describe('a contract suite', () => {
    const f = contractFixture(async () => {
      log.push('made');
      return {
        value: 42,
        read: function (this: { value: number }) {
          return this.value;
        },
        cleanup: async () => void log.push('cleaned up'),
      };
    });
    const early = (() => {
      try {
        return f.value;
      } catch (error) {
        return (error as Error).message;
      }
    })();

    it('refuses a read before the suite has made the fixture, naming the property', () => {
      assert.match(String(early), /value read before the suite's before\(\) hook made the fixture/);
    });

    it('reads the fixture the before hook made, methods included', () => {
      assert.equal(f.value, 42);
      assert.equal(f.read(), 42);
      assert.deepEqual(log, ['made']);
    });
  });

  it('cleans the fixture up once the suite is done', () => {
    assert.deepEqual(log, ['made', 'cleaned up']);
  });
});
