/** The catalog tests' reference files (see README.md here for their sources and licences). Test support only. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const FOLDER = new URL('./', import.meta.url);

/** The unpacked text of a reference file (`name` without `.gz`; a `.gz` is unpacked). */
export function readReferenceText(name: string): string {
  try {
    return gunzipSync(readFileSync(new URL(`${name}.gz`, FOLDER))).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return readFileSync(new URL(name, FOLDER), 'utf8');
  }
}

export function readReferenceJson(name: string): unknown {
  return JSON.parse(readReferenceText(name)) as unknown;
}

/** The unpacked file on disk, for a command that takes a path; `remove()` deletes it. */
export async function referenceFile(name: string): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-catalogs-reference-'));
  const path = join(dir, name);
  await writeFile(path, readReferenceText(name));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
