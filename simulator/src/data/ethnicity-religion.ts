/**
 * Ethnic and religion distributions for synthetic citizens.
 *
 * Ethnic codes are those of Quyết định 121-TCTK/PPCĐ (01 Kinh … 54 Rơ măm), the list the catalogs subgraph serves;
 * weights (‱) approximate the 2019 census shares (Kinh ≈ 85 %, Tày, Thái, Mường, HMông, Khơ-me ≈ 1.3–1.9 % each, …).
 */
const MAJOR_ETHNIC_WEIGHTS: Record<string, number> = {
  '01': 8532, // Kinh
  '02': 192, // Tày
  '03': 185, // Thái
  '04': 78, // Hoa
  '05': 137, // Khơ-me
  '06': 156, // Mường
  '07': 110, // Nùng
  '08': 150, // HMông
  '09': 93, // Dao
  '10': 53, // Gia-rai
  '11': 1, // Ngái
  '12': 41, // Ê-đê
  '13': 30, // Ba na
  '14': 22, // Xơ-Đăng
  '15': 21, // Sán Chay
  '16': 21, // Cơ-ho
  '17': 18, // Chăm
  '18': 19, // Sán Dìu
  '19': 15, // Hrê
  '20': 13, // Mnông
  '21': 15, // Ra-glai
  '22': 10, // Xtiêng
  '23': 10, // Bru-Vân Kiều
  '24': 10, // Thổ
  '25': 7, // Giáy
  '26': 7, // Cơ-tu
  '27': 7, // Gié Triêng
  '28': 5, // Mạ
  '29': 9, // Khơ-mú
};

/** [code, weight]: every one of the 54 groups can occur; groups not listed above are rare (weight 1 ‱). */
export const ETHNIC_WEIGHTS: ReadonlyArray<readonly [string, number]> = Array.from({ length: 54 }, (_, i) => {
  const code = String(i + 1).padStart(2, '0');
  return [code, MAJOR_ETHNIC_WEIGHTS[code] ?? 1] as const;
});

/**
 * Religions recognised in Vietnam (Ban Tôn giáo Chính phủ), coded by this simulator: no authoritative coded list
 * (`matongiao`) is public, so the codes below are the simulator's and must match the catalogs subgraph's religion
 * catalog. About 86 % of citizens declare no religion (2019 census), encoded as `TonGiao: null`.
 */
export const RELIGIONS: ReadonlyArray<{ code: string; name: string; weight: number }> = [
  { code: '01', name: 'Phật giáo', weight: 480 },
  { code: '02', name: 'Công giáo', weight: 610 },
  { code: '03', name: 'Tin lành', weight: 100 },
  { code: '04', name: 'Cao Đài', weight: 60 },
  { code: '05', name: 'Phật giáo Hòa Hảo', weight: 100 },
  { code: '06', name: 'Hồi giáo', weight: 8 },
  { code: '07', name: "Tôn giáo Baha'i", weight: 1 },
  { code: '08', name: 'Tịnh độ Cư sĩ Phật hội Việt Nam', weight: 4 },
  { code: '09', name: 'Đạo Tứ Ân Hiếu Nghĩa', weight: 1 },
  { code: '10', name: 'Bửu Sơn Kỳ Hương', weight: 1 },
  { code: '11', name: 'Minh Sư Đạo', weight: 1 },
  { code: '12', name: 'Minh Lý Đạo – Tam Tông Miếu', weight: 1 },
  { code: '13', name: 'Bà-la-môn giáo', weight: 1 },
];
export const NO_RELIGION_WEIGHT = 8630;
