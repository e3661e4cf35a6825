/**
 * JSON Schemas registered per data type or schema id (e.g. `DOSSIER`, `lgsp.dossier/1`): JSON and DOSSIER
 * payloads are checked against the schema their request names (`schemaId`) or, failing that, the one registered
 * for their data type. Validated with Ajv (JSON Schema draft-07 / 2019-09 subset Ajv 8 compiles by default).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export interface JsonSchemaRegistry {
  has(id: string): boolean;
  /** Null when valid; otherwise a precise message (instance path and what failed). */
  check(id: string, value: unknown): string | null;
}

export function createJsonSchemaRegistry(schemas: Record<string, object> = {}): JsonSchemaRegistry {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const compiled = new Map<string, ValidateFunction>();
  for (const [id, schema] of Object.entries(schemas)) {
    try {
      compiled.set(id, ajv.compile(schema));
    } catch (error) {
      throw new Error(`JSON schema "${id}" does not compile: ${(error as Error).message}`);
    }
  }
  return {
    has: (id) => compiled.has(id),
    check(id, value) {
      const validate = compiled.get(id);
      if (validate === undefined) throw new Error(`no JSON schema "${id}"`);
      if (validate(value)) return null;
      const error = validate.errors?.[0];
      return error === undefined
        ? 'does not match the schema'
        : `${error.instancePath === '' ? '(root)' : error.instancePath} ${error.message ?? 'is invalid'}`;
    },
  };
}

/**
 * Reads every `*.json` file of a directory as a JSON Schema registered under its `$id`, or else its file name
 * without `.json` (`DOSSIER.json` → the data type DOSSIER). Throws a message naming the file when one is not a
 * JSON object; compiling happens in createJsonSchemaRegistry.
 */
export async function readJsonSchemaDirectory(directory: string): Promise<Record<string, object>> {
  const schemas: Record<string, object> = {};
  for (const name of (await readdir(directory)).filter((n) => n.endsWith('.json')).sort()) {
    const file = join(directory, name);
    let schema: unknown;
    try {
      schema = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not JSON: ${(error as Error).message}`);
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error(`${file} is not a JSON Schema object`);
    const id = (schema as { $id?: unknown }).$id;
    schemas[typeof id === 'string' && id !== '' ? id : basename(name, '.json')] = schema;
  }
  return schemas;
}
