/**
 * The shipped working-day calendar (vn-working-days.json, 2024–2030) and the operator's extension file
 * (`REGISTRY_CALENDAR_FILE`): `loadWorkingCalendar(file?)` builds the calendar deadlines count in.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { ZodError } from 'zod';
import { buildCalendar, type WorkingCalendar } from '../../domain/working-days/index.ts';
import table from './vn-working-days.json' with { type: 'json' };

/** The shipped table as parsed JSON (2024–2030). */
export const workingDaysTable: unknown = table;

/** The calendar of the shipped table alone. */
export function defaultWorkingCalendar(): WorkingCalendar {
  return buildCalendar(table);
}

/**
 * The shipped table extended by the operator's file (`REGISTRY_CALENDAR_FILE`; none when `file` is undefined or
 * empty). A file that cannot be read or does not match the shape → BAD_USER_INPUT naming the file and the first
 * problem (start-up fails on it rather than counting deadlines wrong).
 */
export async function loadWorkingCalendar(file?: string): Promise<WorkingCalendar> {
  if (file === undefined || file === '') return defaultWorkingCalendar();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `REGISTRY_CALENDAR_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return buildCalendar(table, JSON.parse(text));
  } catch (error) {
    const problem = error instanceof ZodError ? error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ') : (error as Error).message;
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `REGISTRY_CALENDAR_FILE ${file} is not a calendar extension: ${problem}`);
  }
}
