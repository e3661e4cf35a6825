/**
 * Redis key names of the health history, and only here: `<prefix>monitoring:health:…`. Per system, the hash tag
 * `{<system id>}` keeps its keys in one slot (a push's nonce and last time are checked and set in one script).
 */
export function healthKeys(prefix: string) {
  const base = `${prefix}monitoring:health`;
  return {
    /** Hash: system id → its SystemState (JSON). */
    states: `${base}:states`,
    /** Sorted set of one system's samples, score = observed ms, member = the sample (JSON). */
    samples: (system: string) => `${base}:samples:{${system}}`,
    /** Sorted set of one system's transitions, score = ms, member = the transition (JSON). */
    transitions: (system: string) => `${base}:transitions:{${system}}`,
    /** Hash of one system's daily rollups: `<day>` → the rollup (JSON), updated by a script. */
    rollups: (system: string) => `${base}:rollups:{${system}}`,
    /** The newest accepted push of a system (observed ms). */
    lastPush: (system: string) => `${base}:push:{${system}}`,
    /** A nonce seen for a system (expires). */
    nonce: (system: string, nonce: string) => `${base}:nonce:{${system}}:${nonce}`,
  };
}

/** Every health key under a prefix (cleaning up after tests). */
export function healthKeyPattern(prefix: string): string {
  return `${prefix}monitoring:health:*`;
}
