/**
 * The rules of a maintenance window's times (DL:12.6): announced at least 24 hours before it starts, unless it is an
 * emergency (then recorded as such, with its reason); never starting in the past; ending after it starts; no longer
 * than MAX_WINDOW_HOURS (a longer outage of a 24/7 platform is not maintenance: split it, or record an incident).
 * Every refusal is INVALID_MAINTENANCE_WINDOW with a message naming the rule and the values.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';

const HOUR = 3_600_000;
/** DL:12.6: notice of a planned window. */
export const NOTICE_HOURS = 24;
/** The longest window. */
export const MAX_WINDOW_HOURS = 72;
/** The shortest window (anything shorter is a restart, not worth a notice). */
export const MIN_WINDOW_MINUTES = 1;
/** How far ahead a window may be announced. */
export const MAX_AHEAD_DAYS = 366;
/** Clock skew allowed between the operator's machine and the registry for a window starting "now". */
export const START_SKEW_SECONDS = 60;

export function invalidWindow(message: string, argument: string): LgspError {
  return new LgspError(ErrorCode.INVALID_MAINTENANCE_WINDOW, message, { argument });
}

/**
 * Checks a new or moved window at `now`. `noticeFrom`: the start the 24-hour rule measures against — the new start,
 * except for a change that moves the start later (already announced earlier: no new notice needed).
 */
export function checkWindowTimes(input: { startsAt: Date; endsAt: Date; emergency: boolean; now: Date; noticeRequired: boolean }): void {
  const { startsAt, endsAt, emergency, now, noticeRequired } = input;
  const iso = (d: Date) => d.toISOString();
  if (startsAt.getTime() < now.getTime() - START_SKEW_SECONDS * 1000) {
    throw invalidWindow(`startsAt ${iso(startsAt)} is in the past (now ${iso(now)}): a maintenance window cannot start before it is announced`, 'startsAt');
  }
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw invalidWindow(`endsAt ${iso(endsAt)} must be after startsAt ${iso(startsAt)}`, 'endsAt');
  }
  const length = endsAt.getTime() - startsAt.getTime();
  if (length < MIN_WINDOW_MINUTES * 60_000) throw invalidWindow(`the window lasts less than ${MIN_WINDOW_MINUTES} minute`, 'endsAt');
  if (length > MAX_WINDOW_HOURS * HOUR) {
    throw invalidWindow(
      `the window lasts ${(length / HOUR).toFixed(1)} hours, more than the ${MAX_WINDOW_HOURS} allowed: split it into several windows`,
      'endsAt',
    );
  }
  if (startsAt.getTime() > now.getTime() + MAX_AHEAD_DAYS * 24 * HOUR) {
    throw invalidWindow(`startsAt ${iso(startsAt)} is more than ${MAX_AHEAD_DAYS} days ahead`, 'startsAt');
  }
  const earliest = new Date(now.getTime() + NOTICE_HOURS * HOUR);
  if (noticeRequired && !emergency && startsAt.getTime() < earliest.getTime()) {
    throw invalidWindow(
      `a maintenance window must be announced at least ${NOTICE_HOURS} hours before it starts (DL:12.6): startsAt ${iso(startsAt)} is earlier than ${iso(earliest)}; ` +
        'announce it with emergency: true and the reason if it cannot wait',
      'startsAt',
    );
  }
}
