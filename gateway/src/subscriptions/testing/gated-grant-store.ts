/**
 * A GrantStore in front of a real one whose next `grantsFor` read can be held: the read is answered by the real
 * store at once (what the grants were then), and handed to the caller only when the test releases it. Tests use it
 * to change grants deterministically while an authorization is in flight.
 */
import type { GrantStore } from '@lgsp/access';

export interface HeldRead {
  /** Resolves when the read has been answered by the store and is being held. */
  reached: Promise<void>;
  /** Hands the answer to the caller. */
  release(): void;
}

export function gatedGrantStore(inner: GrantStore): { store: GrantStore; holdNextRead(): HeldRead } {
  let armed: { reached: () => void; released: Promise<void> } | undefined;
  const store: GrantStore = {
    ...inner,
    async grantsFor(consumer) {
      const answer = await inner.grantsFor(consumer);
      const gate = armed;
      armed = undefined;
      if (gate !== undefined) {
        gate.reached();
        await gate.released;
      }
      return answer;
    },
  };
  return {
    store,
    holdNextRead() {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      armed = { reached, released };
      return { reached: reachedPromise, release };
    },
  };
}
