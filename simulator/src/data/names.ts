/**
 * Vietnamese personal names for synthetic citizens. Family-name weights follow the commonly cited shares of the
 * Vietnamese population (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, Phạm ≈ 7 %, Hoàng/Huỳnh ≈ 5 %, …); middle and given
 * names are typical by gender, and "Văn"/"Thị" are more frequent among older generations.
 */

/** [family name (họ), weight in ‰ of the population]. */
export const FAMILY_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Nguyễn', 384],
  ['Trần', 121],
  ['Lê', 95],
  ['Phạm', 70],
  ['Hoàng', 30],
  ['Huỳnh', 21],
  ['Phan', 45],
  ['Vũ', 24],
  ['Võ', 15],
  ['Đặng', 21],
  ['Bùi', 20],
  ['Đỗ', 14],
  ['Hồ', 13],
  ['Ngô', 13],
  ['Dương', 10],
  ['Lý', 5],
  ['Đào', 5],
  ['Đoàn', 5],
  ['Trịnh', 5],
  ['Trương', 5],
  ['Đinh', 5],
  ['Lâm', 4],
  ['Phùng', 3],
  ['Mai', 3],
  ['Tô', 3],
  ['Hà', 3],
  ['Tạ', 3],
  ['Cao', 3],
  ['Lương', 3],
  ['Lưu', 3],
  ['Vương', 2],
  ['Kiều', 2],
  ['Quách', 2],
  ['Thái', 2],
  ['Châu', 2],
  ['La', 1],
  ['Triệu', 1],
  ['Mạc', 1],
  ['Lại', 1],
  ['Khúc', 1],
];

export const MALE_MIDDLE_NAMES = ['Hữu', 'Đức', 'Minh', 'Quang', 'Thành', 'Công', 'Xuân', 'Ngọc', 'Hoàng', 'Thanh', 'Tuấn', 'Gia', 'Anh', 'Quốc', 'Trọng', 'Đình', 'Bá', 'Mạnh', 'Duy', 'Tiến', 'Hải', 'Nhật', 'Trung', 'Bảo'] as const;
export const FEMALE_MIDDLE_NAMES = ['Ngọc', 'Thu', 'Thanh', 'Minh', 'Phương', 'Kim', 'Hồng', 'Thùy', 'Bảo', 'Khánh', 'Mai', 'Hải', 'Diệu', 'Quỳnh', 'Thảo', 'Hà', 'Tuyết', 'Mỹ', 'Lan', 'Hoài'] as const;

export const MALE_GIVEN_NAMES = [
  'An', 'Anh', 'Bảo', 'Bình', 'Cường', 'Dũng', 'Duy', 'Dương', 'Đạt', 'Đức', 'Giang', 'Hải', 'Hiếu', 'Hòa', 'Hoàng',
  'Hùng', 'Huy', 'Khang', 'Khánh', 'Khoa', 'Kiên', 'Lâm', 'Long', 'Lộc', 'Lợi', 'Mạnh', 'Minh', 'Nam', 'Nghĩa',
  'Nhân', 'Phát', 'Phong', 'Phúc', 'Quân', 'Quang', 'Sơn', 'Tài', 'Tâm', 'Thắng', 'Thành', 'Thiện', 'Thịnh', 'Tiến',
  'Toàn', 'Trí', 'Trung', 'Tuấn', 'Tùng', 'Việt', 'Vinh', 'Vũ', 'Hưng', 'Hậu', 'Công', 'Định', 'Hiển', 'Khôi', 'Lực',
  'Nguyên', 'Tú',
] as const;

export const FEMALE_GIVEN_NAMES = [
  'An', 'Anh', 'Ánh', 'Bích', 'Châu', 'Chi', 'Diệp', 'Dung', 'Duyên', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hiền', 'Hoa',
  'Hồng', 'Hương', 'Huyền', 'Lan', 'Liên', 'Linh', 'Loan', 'Ly', 'Mai', 'My', 'Nga', 'Ngân', 'Ngọc', 'Nhi', 'Nhung',
  'Oanh', 'Phương', 'Quyên', 'Quỳnh', 'Tâm', 'Thảo', 'Thơ', 'Thu', 'Thủy', 'Thư', 'Trang', 'Trâm', 'Tuyết', 'Uyên',
  'Vân', 'Vy', 'Xuân', 'Yến', 'Nhàn', 'Lệ', 'Hậu', 'Khánh', 'Tiên',
] as const;

/** Streets named after historical figures and events, as in most Vietnamese towns. */
export const STREET_NAMES = [
  'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Hai Bà Trưng', 'Quang Trung', 'Lý Thường Kiệt', 'Nguyễn Huệ',
  'Phan Chu Trinh', 'Hùng Vương', 'Lê Duẩn', 'Điện Biên Phủ', 'Nguyễn Du', 'Trần Phú', 'Lê Lai', 'Nguyễn Thái Học',
  'Phan Đình Phùng', 'Bà Triệu', 'Lê Thánh Tông', 'Nguyễn Văn Cừ', 'Võ Thị Sáu', 'Tôn Đức Thắng', 'Ngô Quyền',
  'Lý Thái Tổ', 'Trần Quang Khải', 'Phạm Văn Đồng', 'Nguyễn Chí Thanh', 'Lạc Long Quân', 'Âu Cơ', 'Hoàng Diệu',
  'Nguyễn Thị Minh Khai', '30 Tháng 4', 'Cách Mạng Tháng Tám', 'Trần Nhân Tông', 'Chu Văn An', 'Lê Hồng Phong',
] as const;

/** Village names (thôn, ấp, bản) for rural communes. */
export const VILLAGE_NAMES = [
  'Đông', 'Tây', 'Nam', 'Bắc', 'Trung', 'Thượng', 'Hạ', 'An Lạc', 'Phú Mỹ', 'Tân Lập', 'Hòa Bình', 'Đoàn Kết',
  'Quyết Thắng', 'Thắng Lợi', 'Tân Phú', 'Phú Lợi', 'Bình An', 'Thành Công', 'Đồng Tâm', 'Yên Thịnh',
] as const;

/** Removes Vietnamese diacritics (for foreign-language enterprise names): "Đức Phát" → "Duc Phat". */
export function withoutDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}
