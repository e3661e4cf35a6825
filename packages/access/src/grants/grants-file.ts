/**
 * The grants data file (field sets + grants; the gateway's GRANTS_FILE, e.g. its development-grants.json); its grants
 * seed an empty GrantStore.
 */
import { readFile } from 'node:fs/promises';
import { grantsFileSchema, type GrantsFile } from './grant.ts';
import type { GrantStore } from './grant-store.ts';

/** Reads and checks a grants file; the error names GRANTS_FILE, the problem and, for a duplicate, the grant id. */
export async function readGrantsFile(path: string): Promise<GrantsFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`GRANTS_FILE=${path}: cannot read (${(error as Error).message})`);
  }
  const result = grantsFileSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`GRANTS_FILE=${path}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const ids = new Set<string>();
  for (const grant of result.data.grants) {
    if (ids.has(grant.id)) throw new Error(`GRANTS_FILE=${path}: grant id ${grant.id} appears twice`);
    ids.add(grant.id);
  }
  return result.data;
}

/** Puts the file's grants into the store when it holds none (a store already in use is never overwritten). */
export async function seedGrants(store: GrantStore, file: GrantsFile): Promise<number> {
  if ((await store.list()).length > 0) return 0;
  for (const grant of file.grants) await store.put(grant);
  return file.grants.length;
}
