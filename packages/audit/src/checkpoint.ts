/**
 * Signed checkpoints: every so often the platform signs the chain's head (seq, hash, time) with its key, so that the
 * chain up to a checkpoint verifies offline and a truncation before it is caught (X-Road's signed, timestamped logs).
 */

export interface Checkpoint {
  seq: number;
  hash: string;
  /** When it was signed (ISO instant). */
  at: string;
  /** The signing key's id (its JWK thumbprint). */
  keyId: string;
  /** A compact JWS (EdDSA) over `{ seq, hash, at }`. */
  signature: string;
}
