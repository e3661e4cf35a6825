/**
 * Writes a new private EC P-256 JWK for the gateway's internal tokens (GATEWAY_SIGNING_KEY_FILE), so that several
 * gateway replicas sign with one key and subgraphs trust all of them. Never commit the file it writes.
 *
 *   tsx scripts/generate-signing-key.ts /run/secrets/gateway-signing-key.jwk
 */
import { exportJWK, generateKeyPair } from 'jose';
import { access, writeFile } from 'node:fs/promises';

const target = process.argv[2];
if (target === undefined) {
  console.error('usage: generate-signing-key.ts <file>');
  process.exit(2);
}
const exists = await access(target).then(
  () => true,
  () => false,
);
if (exists) {
  console.log(`${target} exists; keeping it`);
} else {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  await writeFile(target, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  console.log(`wrote a new signing key to ${target}`);
}
