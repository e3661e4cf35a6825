/**
 * JSON Schemas registered per data type or schema id (e.g. `DOSSIER`, `lgsp.dossier/1`): JSON and DOSSIER
 * payloads are checked against the schema their request names (`schemaId`) or, failing that, the one registered
 * for their data type. Validated with Ajv (JSON Schema draft-07 / 2019-09 subset Ajv 8 compiles by default).
 */
import { Ajv, type ValidateFunction } from 'ajv';

export interface JsonSchemaRegistry {
  has(id: string): boolean;
  /** Null when valid; otherwise a precise message (instance path and what failed). */
  check(id: string, value: unknown): string | null;
}

export function createJsonSchemaRegistry(schemas: Record<string, object> = {}): JsonSchemaRegistry {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const compiled = new Map<string, ValidateFunction>();
  for (const [id, schema] of Object.entries(schemas)) compiled.set(id, ajv.compile(schema));
  return {
    has: (id) => compiled.has(id),
    check(id, value) {
      const validate = compiled.get(id);
      if (validate === undefined) throw new Error(`no JSON schema "${id}"`);
      if (validate(value)) return null;
      const error = validate.errors?.[0];
      return error === undefined ? 'does not match the schema' : `${error.instancePath === '' ? '(root)' : error.instancePath} ${error.message ?? 'is invalid'}`;
    },
  };
}
