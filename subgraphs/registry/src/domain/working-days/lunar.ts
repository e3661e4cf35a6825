/**
 * The Vietnamese lunar calendar (âm lịch), for the two statutory holidays it fixes: Tết (the 1st of the 1st month)
 * and the Hùng Kings' commemoration (Giỗ Tổ Hùng Vương, the 10th of the 3rd month). Hồ Ngọc Đức's algorithm
 * (astronomical new moons and solar terms, after Jean Meeus, "Astronomical Algorithms", 1998) computed at UTC+7 —
 * the meridian Viet Nam's calendar uses since 1968, so its Tết sometimes differs from China's (UTC+8), which is why a
 * Chinese lunar library will not do. The calendar table (src/data/calendar/) is the source of truth; this module
 * checks it and projects the statutory days of a year the table does not cover (labour-code.ts).
 */

const TIME_ZONE_HOURS = 7;
const INT = Math.floor;

/** Julian day number of a Gregorian date. */
function jdFromDate(day: number, month: number, year: number): number {
  const a = INT((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  return day + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - INT(y / 100) + INT(y / 400) - 32045;
}

/** Gregorian date of a Julian day number, as `YYYY-MM-DD`. */
function dateFromJd(jd: number): string {
  const a = jd + 32044;
  const b = INT((4 * a + 3) / 146097);
  const c = a - INT((b * 146097) / 4);
  const d = INT((4 * c + 3) / 1461);
  const e = c - INT((1461 * d) / 4);
  const m = INT((5 * e + 2) / 153);
  const day = e - INT((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * INT(m / 10);
  const year = b * 100 + d - 4800 + INT(m / 10);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The Julian day (fractional, UT) of the k-th new moon after 1900-01-01 (Meeus ch. 49, abridged). */
function newMoon(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = Math.PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let C1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  C1 = C1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  C1 = C1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  C1 = C1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  C1 = C1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  C1 = C1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  C1 = C1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  const deltaT = T < -11 ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3 : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd1 + C1 - deltaT;
}

/** The sun's apparent longitude (radians, 0..2π) at a Julian day (Meeus ch. 25, low accuracy). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525;
  const T2 = T * T;
  const dr = Math.PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr;
  L = L - Math.PI * 2 * INT(L / (Math.PI * 2));
  return L;
}

/** Which of the 12 major solar terms' sectors (0..11) the sun is in at the start of a local day. */
const sunSector = (dayNumber: number) => INT((sunLongitude(dayNumber - 0.5 - TIME_ZONE_HOURS / 24) / Math.PI) * 6);
/** The local day (Julian day number) of the k-th new moon. */
const newMoonDay = (k: number) => INT(newMoon(k) + 0.5 + TIME_ZONE_HOURS / 24);

/** The first day of the 11th lunar month (the month of the winter solstice) of a Gregorian year. */
function lunarMonth11(year: number): number {
  const off = jdFromDate(31, 12, year) - 2415021;
  const k = INT(off / 29.530588853);
  const nm = newMoonDay(k);
  return sunSector(nm) >= 9 ? newMoonDay(k - 1) : nm;
}

/** In a 13-month lunar year starting at month 11 `a11`: the offset of the leap month (the first without a major term). */
function leapMonthOffset(a11: number): number {
  const k = INT((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  let i = 1;
  let arc = sunSector(newMoonDay(k + i));
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunSector(newMoonDay(k + i));
  } while (arc !== last && i < 14);
  return i - 1;
}

/**
 * The Gregorian date (`YYYY-MM-DD`) of a day of the Vietnamese lunar calendar: day `lunarDay` of month `lunarMonth`
 * (1–12, not the leap month) of the lunar year that begins in Gregorian `lunarYear`.
 */
export function lunarToSolar(lunarDay: number, lunarMonth: number, lunarYear: number): string {
  const [a11, b11] = lunarMonth < 11 ? [lunarMonth11(lunarYear - 1), lunarMonth11(lunarYear)] : [lunarMonth11(lunarYear), lunarMonth11(lunarYear + 1)];
  const k = INT(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  let off = lunarMonth - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365 && off >= leapMonthOffset(a11)) off += 1;
  return dateFromJd(newMoonDay(k + off) + lunarDay - 1);
}

/** Tết Nguyên đán: the 1st day of the 1st lunar month of the lunar year beginning in `year`. */
export const tetDay = (year: number): string => lunarToSolar(1, 1, year);

/** Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month. */
export const hungKingsDay = (year: number): string => lunarToSolar(10, 3, year);
