/** Instants as the monitoring's API takes them: ISO 8601 with a time zone, and the `DateTime` scalar. */
import { GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode, LgspError } from '@lgsp/kit';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 instant with a time zone; throws INVALID_DATE naming `argument`. */
export function parseInstant(value: string, argument: string): Date {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new LgspError(ErrorCode.INVALID_DATE, `${argument} must be an ISO 8601 instant with a time zone, such as 2026-11-05T08:30:00+07:00`, { argument });
  return new Date(ms);
}

/**
 * `DateTime`: strings in and out. The check of the value is the resolvers' (parseInstant), so that a malformed one
 * is refused with `INVALID_DATE` and the argument's name rather than a generic variable coercion error.
 */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO 8601 instant with a time zone.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new TypeError('DateTime must be a string such as 2026-11-05T08:30:00+07:00');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string such as 2026-11-05T08:30:00+07:00');
    return ast.value;
  },
});
