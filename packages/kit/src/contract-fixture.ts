/**
 * The fixture of a contract suite (tests only): the adapter a contract runs against, made in the suite's `before`
 * and cleaned up in its `after`. Every `describe…Contract` of the stores (relay, catalogs, gateway grants and
 * limits) opens the same way; this is that opening.
 */
import { after, before } from 'node:test';

export interface ContractFixture {
  cleanup(): Promise<void>;
}

/**
 * Registers, in the calling `describe`, a `before` that makes the fixture and an `after` that cleans it up, and
 * returns a stand-in that reads the fixture's properties once `before` has run (reading them earlier throws,
 * naming the mistake, instead of handing out undefined).
 */
export function contractFixture<F extends ContractFixture>(make: () => Promise<F>): F {
  let made: F | undefined;
  before(async () => {
    made = await make();
  });
  after(async () => {
    await made?.cleanup();
  });
  return new Proxy({} as F, {
    get(_target, property) {
      if (made === undefined) throw new Error(`contract fixture: ${String(property)} read before the suite's before() hook made the fixture`);
      return Reflect.get(made, property, made);
    },
  });
}
