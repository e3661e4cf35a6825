/**
 * Vietnam time (Asia/Ho_Chi_Minh, UTC+07:00 all year: no daylight saving) for the pages' periods, whatever the
 * browser's clock says. antd's pickers work in the browser's calendar; a picked value is read as a Vietnam wall-clock
 * date (and time), and the pickers' "today" is Vietnam's today.
 */
import dayjs, { type Dayjs } from 'dayjs';

export const VIETNAM_ZONE = 'Asia/Ho_Chi_Minh';
const OFFSET = '+07:00';

function wallClock(now: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: VIETNAM_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Today in Vietnam, `YYYY-MM-DD`. */
export function vietnamToday(now = new Date()): string {
  return wallClock(now).slice(0, 10);
}

/** Now as a picker value: Vietnam's date and time on the picker's calendar. */
export function vietnamNow(now = new Date()): Dayjs {
  return dayjs(wallClock(now));
}

/** The instant (ISO, UTC) a picked date and time stands for, read as Vietnam time. */
export function vietnamInstant(picked: Dayjs): string {
  return new Date(`${picked.format('YYYY-MM-DDTHH:mm:ss.SSS')}${OFFSET}`).toISOString();
}

/** The first instant of the picked day in Vietnam (00:00 +07:00), ISO. */
export function vietnamDayStart(picked: Dayjs): string {
  return vietnamInstant(picked.startOf('day'));
}

/** The last instant of the picked day in Vietnam (23:59:59.999 +07:00), ISO. */
export function vietnamDayEnd(picked: Dayjs): string {
  return vietnamInstant(picked.endOf('day'));
}

/** An instant (ISO) as a picker value: its Vietnam date and time on the picker's calendar. */
export function vietnamPickerValue(iso: string): Dayjs {
  return vietnamNow(new Date(iso));
}
