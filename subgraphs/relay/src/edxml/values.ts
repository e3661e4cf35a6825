/**
 * Value rules of QCVN 102:2016 packets: dates, agency identifiers (OrganId), status codes, DocumentIds, base64.
 * Reconstructed from the real packets and the libraries that build them (see README.md here).
 */
import { createHash, type Hash } from 'node:crypto';

// ---------------------------------------------------------------------------------------------------------------
// Dates

/** A date as sent and, when it is a real date, its ISO 8601 form. */
export interface EdxmlDate {
  /** The element's text, trimmed. */
  raw: string;
  /**
   * `YYYY-MM-DD` for date fields; `YYYY-MM-DDTHH:mm:ss+07:00` for timestamps (edXML times carry no zone and
   * QCVN 102 systems write Vietnam time, UTC+7, unless the value itself names a zone). Null when impossible.
   */
  iso: string | null;
}

export interface ParsedDate {
  year: number;
  month: number;
  day: number;
  time: { hour: number; minute: number; second: number } | null;
  /** `Z` or `+07:00` when the text names a zone. */
  zone: string | null;
  /** `yyyy/MM/dd` (date fields) — the form the VNPT/VPCP libraries write. */
  canonicalDate: boolean;
  /** `yyyy/MM/dd HH:mm:ss` (Timestamp fields). */
  canonicalTimestamp: boolean;
}

export type DateParseResult = { ok: true; date: ParsedDate } | { ok: false; reason: 'impossible' | 'unrecognised' };

const YEAR_FIRST = /^(\d{4})([/-])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
// Vietnamese dates are day-first (`30/10/2020`, Bkav); a month-first reading is never attempted.
const DAY_FIRST = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Read an edXML date or datetime in any of the forms seen in real packets. */
export function parseEdxmlDate(raw: string): DateParseResult {
  const text = raw.trim();
  let year: number, month: number, day: number;
  let hh: string | undefined, mm: string | undefined, ss: string | undefined, zone: string | undefined;
  let m = YEAR_FIRST.exec(text);
  if (m) {
    [year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])];
    [hh, mm, ss, zone] = [m[5], m[6], m[7], m[8]];
  } else if ((m = DAY_FIRST.exec(text))) {
    [day, month, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
    [hh, mm, ss] = [m[5], m[6], m[7]];
  } else {
    return { ok: false, reason: 'unrecognised' };
  }
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: 'impossible' };
  let time: ParsedDate['time'] = null;
  if (hh !== undefined) {
    time = { hour: Number(hh), minute: Number(mm), second: ss === undefined ? 0 : Number(ss) };
    if (time.hour > 23 || time.minute > 59 || time.second > 59) return { ok: false, reason: 'impossible' };
  }
  const normalisedZone = zone === undefined ? null : zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  return {
    ok: true,
    date: {
      year,
      month,
      day,
      time,
      zone: normalisedZone,
      canonicalDate: /^\d{4}\/\d{2}\/\d{2}$/.test(text),
      canonicalTimestamp: /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(text),
    },
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function isoDate(d: ParsedDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

export function isoTimestamp(d: ParsedDate): string {
  const t = d.time ?? { hour: 0, minute: 0, second: 0 };
  return `${isoDate(d)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${d.zone ?? VIETNAM_OFFSET}`;
}

export const VIETNAM_OFFSET = '+07:00';

/** `yyyy/MM/dd` of an instant in Vietnam time, or of a `YYYY-MM-DD` calendar date as is. */
export function formatEdxmlDate(value: Date | string): string {
  if (typeof value === 'string') {
    const parsed = parseEdxmlDate(value);
    if (!parsed.ok) throw new RangeError(`not a date: "${value}"`);
    return `${pad(parsed.date.year, 4)}/${pad(parsed.date.month)}/${pad(parsed.date.day)}`;
  }
  return formatEdxmlTimestamp(value).slice(0, 10);
}

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time (the form VPCP status packets carry). */
export function formatEdxmlTimestamp(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new RangeError('not a date');
  const local = new Date(value.getTime() + 7 * 3600_000);
  return (
    `${pad(local.getUTCFullYear(), 4)}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// OrganId (mã định danh cơ quan, QCVN 102:2016)

/**
 * Accepted: 2 to 4 dot-separated segments of 1–4 ASCII letters or digits (`000.00.00.G22`, `28.22.H17`,
 * `01.02.G22`). Canonical: exactly `NNN.NN.NN.XNN` (three numeric levels, then a letter and two digits), the
 * form of the national identifier list. Bkav's checker only counts "≤ 4 segments"; requiring at least two keeps
 * out free text and placeholders (`12334`, `from_organid`) that could never be routed to an agency.
 */
const ORGAN_ID = /^[A-Za-z0-9]{1,4}(?:\.[A-Za-z0-9]{1,4}){1,3}$/;
const CANONICAL_ORGAN_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

export type OrganIdCheck = 'canonical' | 'accepted' | 'invalid';

export function checkOrganId(value: string): OrganIdCheck {
  if (CANONICAL_ORGAN_ID.test(value)) return 'canonical';
  return ORGAN_ID.test(value) ? 'accepted' : 'invalid';
}

// ---------------------------------------------------------------------------------------------------------------
// Status codes

/** The status codes of status packets (identical in every source found; 07–12 and 14 are never used). */
export const EDXML_STATUS_CODES = {
  '01': { vi: 'Đã đến', en: 'arrived, not yet handled' },
  '02': { vi: 'Từ chối tiếp nhận', en: 'rejected' },
  '03': { vi: 'Đã tiếp nhận', en: 'accepted (registered)' },
  '04': { vi: 'Phân công xử lý', en: 'assigned' },
  '05': { vi: 'Đang xử lý', en: 'processing' },
  '06': { vi: 'Hoàn thành', en: 'finished' },
  '13': { vi: 'Yêu cầu thu hồi / lấy lại', en: 'revoke request (sent by the sender)' },
  '15': { vi: 'Đồng ý thu hồi / cập nhật', en: 'revoke or update accepted' },
  '16': { vi: 'Từ chối thu hồi / cập nhật', en: 'revoke or update refused' },
} as const;
export type EdxmlStatusCode = keyof typeof EDXML_STATUS_CODES;

export function isStatusCode(value: string): value is EdxmlStatusCode {
  return Object.hasOwn(EDXML_STATUS_CODES, value);
}

/** `01` stays `01`; `1` becomes `01` (Bkav stores the code as an integer); anything else is null. */
export function normaliseStatusCode(raw: string): { code: EdxmlStatusCode; padded: boolean } | null {
  const text = raw.trim();
  if (!/^\d{1,2}$/.test(text)) return null;
  const code = text.padStart(2, '0');
  return isStatusCode(code) ? { code, padded: code !== text } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// DocumentId

/** What a DocumentId says about the document it names. */
export type DocumentIdInfo =
  | {
      /** `{sender OrganId},{yyyy/MM/dd},{CodeNumber}/{CodeNotation}` (VPCP/VNPT form). */
      form: 'structured';
      organId: string;
      date: EdxmlDate;
      codeNumber: string;
      codeNotation: string;
    }
  | { form: 'uuid' }
  | { form: 'unstructured' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseDocumentId(value: string): DocumentIdInfo {
  if (UUID.test(value)) return { form: 'uuid' };
  const parts = /^([^,]+),([^,]+),(.+)$/.exec(value);
  if (!parts || checkOrganId(parts[1]!.trim()) === 'invalid') return { form: 'unstructured' };
  const code = parts[3]!.trim();
  const slash = code.indexOf('/');
  const rawDate = parts[2]!.trim();
  const parsed = parseEdxmlDate(rawDate);
  if (!parsed.ok && parsed.reason === 'unrecognised') return { form: 'unstructured' };
  return {
    form: 'structured',
    organId: parts[1]!.trim(),
    date: { raw: rawDate, iso: parsed.ok ? isoDate(parsed.date) : null },
    codeNumber: slash < 0 ? code : code.slice(0, slash),
    codeNotation: slash < 0 ? '' : code.slice(slash + 1),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Base64 attachment content, decoded as it streams

/** What an attachment's ContentTransferEncoded turned out to be. */
export interface Base64Result {
  /** Non-whitespace characters of the encoded text. */
  encodedLength: number;
  /** True when the text is base64 (RFC 4648 alphabet, whitespace ignored, correct padding). */
  valid: boolean;
  /** Size of the decoded content in bytes; null when not valid base64. */
  decodedSize: number | null;
  /** SHA-256 (hex) of the decoded content; null when not valid base64. */
  sha256: string | null;
}

/**
 * Validates and decodes base64 text piece by piece: keeps at most three characters between pieces, hashes the
 * decoded bytes and counts them, never holds the content.
 */
export class Base64Sink {
  private encodedLength = 0;
  private valid = true;
  private pads = 0;
  private carry = '';
  private decodedSize = 0;
  private readonly hash: Hash = createHash('sha256');

  write(text: string): void {
    const clean = text.replace(/[\t\n\r ]+/g, '');
    this.encodedLength += clean.length;
    if (!this.valid || clean.length === 0) return;
    const firstPad = clean.indexOf('=');
    const data = firstPad < 0 ? clean : clean.slice(0, firstPad);
    const padding = firstPad < 0 ? '' : clean.slice(firstPad);
    // Padding ends the content: at most two '=', nothing but '=' after the first one, across pieces too.
    if (!/^[A-Za-z0-9+/]*$/.test(data) || !/^=*$/.test(padding) || (this.pads > 0 && data.length > 0)) {
      this.valid = false;
      return;
    }
    this.pads += padding.length;
    if (this.pads > 2) {
      this.valid = false;
      return;
    }
    const pending = this.carry + clean;
    const whole = pending.length - (pending.length % 4);
    if (whole > 0) {
      const bytes = Buffer.from(pending.slice(0, whole), 'base64');
      this.decodedSize += bytes.length;
      this.hash.update(bytes);
    }
    this.carry = pending.slice(whole);
  }

  finish(): Base64Result {
    const valid = this.valid && this.carry.length === 0;
    return {
      encodedLength: this.encodedLength,
      valid,
      decodedSize: valid ? this.decodedSize : null,
      sha256: valid ? this.hash.digest('hex') : null,
    };
  }
}
