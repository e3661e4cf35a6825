/**
 * Vietnamese text keys. Names reach us in several spellings of the same thing: precomposed (NFC) or decomposed
 * (NFD) Unicode, the older tone placement ("Hoà", "Thuỷ") or the newer one ("Hòa", "Thủy"), typographic or
 * straight apostrophes ("H’Leo" / "H'Leo"). Two keys cover every use here:
 * - `searchKey`: accent-insensitive, for search ("ha noi" finds "Hà Nội"; đ → d);
 * - `nameKey`: keeps every diacritic but not where the tone mark sits, for deciding whether a name changed.
 */

/** Vietnamese tone marks as combining characters (huyền, sắc, ngã, hỏi, nặng). */
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4]/g;

/** Accent-, case- and spacing-insensitive form: "Thành phố Hà Nội" → "thanh pho ha noi". */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(APOSTROPHES, "'")
    .replace(/[\s\-–—_,.]+/g, ' ')
    .trim();
}

/**
 * A key equal for "Hoà"/"Hòa", "Thuỷ"/"Thủy", NFC/NFD, "’"/"'" and letter case, and different whenever a letter,
 * a vowel mark (ă, â, ơ, ư…) or a tone differs. Each word's tone mark is moved to the end of the word.
 */
export function nameKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(APOSTROPHES, "'")
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => {
      const tones = word.match(TONE_MARKS)?.join('') ?? '';
      return word.replace(TONE_MARKS, '') + tones;
    })
    .join(' ')
    .normalize('NFC');
}

/** True when two names are the same name written differently (Unicode form, tone placement, apostrophe, case). */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}
