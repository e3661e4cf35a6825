/** Reference lists for synthetic enterprises (CSDL quốc gia về đăng ký doanh nghiệp). */

/** Legal forms (loại hình doanh nghiệp, Luật Doanh nghiệp 2020) with their share of registrations. */
export const LEGAL_FORMS: ReadonlyArray<{ id: string; name: string; weight: number; abbreviation: string; english: string }> = [
  { id: '1', name: 'Công ty trách nhiệm hữu hạn một thành viên', weight: 45, abbreviation: 'TNHH MTV', english: 'ONE MEMBER COMPANY LIMITED' },
  { id: '2', name: 'Công ty trách nhiệm hữu hạn hai thành viên trở lên', weight: 25, abbreviation: 'TNHH', english: 'COMPANY LIMITED' },
  { id: '3', name: 'Công ty cổ phần', weight: 25, abbreviation: 'CP', english: 'JOINT STOCK COMPANY' },
  { id: '4', name: 'Doanh nghiệp tư nhân', weight: 4, abbreviation: 'DNTN', english: 'PRIVATE ENTERPRISE' },
  { id: '5', name: 'Công ty hợp danh', weight: 1, abbreviation: 'HD', english: 'PARTNERSHIP' },
];

/** Enterprise status (tình trạng hoạt động) with the share of the register. */
export const ENTERPRISE_STATUSES: ReadonlyArray<{ code: string; name: string; weight: number }> = [
  { code: '1', name: 'Đang hoạt động', weight: 80 },
  { code: '2', name: 'Tạm ngừng kinh doanh có thời hạn', weight: 8 },
  { code: '3', name: 'Đang làm thủ tục giải thể', weight: 4 },
  { code: '4', name: 'Đã giải thể', weight: 7 },
  { code: '5', name: 'Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp', weight: 1 },
];

/** Business lines: level-4 codes of the Vietnamese standard industrial classification (VSIC 2018, QĐ 27/2018/QĐ-TTg). */
export const BUSINESS_LINES: ReadonlyArray<{ code: string; name: string; trade: string; english: string }> = [
  { code: '0118', name: 'Trồng rau, đậu các loại và trồng hoa', trade: 'Nông nghiệp', english: 'AGRICULTURE' },
  { code: '0322', name: 'Nuôi trồng thủy sản nội địa', trade: 'Thủy sản', english: 'AQUACULTURE' },
  { code: '1079', name: 'Sản xuất thực phẩm khác chưa được phân vào đâu', trade: 'Thực phẩm', english: 'FOOD' },
  { code: '1410', name: 'May trang phục (trừ trang phục từ da lông thú)', trade: 'May mặc', english: 'GARMENT' },
  { code: '4101', name: 'Xây dựng nhà để ở', trade: 'Xây dựng', english: 'CONSTRUCTION' },
  { code: '4102', name: 'Xây dựng nhà không để ở', trade: 'Xây dựng', english: 'CONSTRUCTION' },
  { code: '4290', name: 'Xây dựng công trình kỹ thuật dân dụng khác', trade: 'Xây dựng', english: 'CONSTRUCTION' },
  { code: '4321', name: 'Lắp đặt hệ thống điện', trade: 'Kỹ thuật điện', english: 'ELECTRICAL ENGINEERING' },
  { code: '4520', name: 'Bảo dưỡng, sửa chữa ô tô và xe có động cơ khác', trade: 'Dịch vụ ô tô', english: 'AUTO SERVICES' },
  { code: '4631', name: 'Bán buôn gạo, lúa mỳ, hạt ngũ cốc khác, bột mỳ', trade: 'Thương mại', english: 'TRADING' },
  { code: '4632', name: 'Bán buôn thực phẩm', trade: 'Thương mại', english: 'TRADING' },
  { code: '4649', name: 'Bán buôn đồ dùng khác cho gia đình', trade: 'Thương mại', english: 'TRADING' },
  { code: '4659', name: 'Bán buôn máy móc, thiết bị và phụ tùng máy khác', trade: 'Thiết bị', english: 'EQUIPMENT' },
  { code: '4663', name: 'Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng', trade: 'Vật liệu xây dựng', english: 'BUILDING MATERIALS' },
  {
    code: '4711',
    name: 'Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào chiếm tỷ trọng lớn trong các cửa hàng kinh doanh tổng hợp',
    trade: 'Thương mại',
    english: 'TRADING',
  },
  { code: '4933', name: 'Vận tải hàng hóa bằng đường bộ', trade: 'Vận tải', english: 'TRANSPORT' },
  { code: '5229', name: 'Hoạt động dịch vụ hỗ trợ khác liên quan đến vận tải', trade: 'Logistics', english: 'LOGISTICS' },
  { code: '5510', name: 'Dịch vụ lưu trú ngắn ngày', trade: 'Du lịch', english: 'TOURISM' },
  { code: '5610', name: 'Nhà hàng và các dịch vụ ăn uống phục vụ lưu động', trade: 'Ẩm thực', english: 'FOOD SERVICES' },
  { code: '6201', name: 'Lập trình máy vi tính', trade: 'Công nghệ', english: 'TECHNOLOGY' },
  { code: '6202', name: 'Tư vấn máy vi tính và quản trị hệ thống máy vi tính', trade: 'Công nghệ', english: 'TECHNOLOGY' },
  { code: '6311', name: 'Xử lý dữ liệu, cho thuê và các hoạt động liên quan', trade: 'Công nghệ', english: 'TECHNOLOGY' },
  {
    code: '6810',
    name: 'Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê',
    trade: 'Bất động sản',
    english: 'REAL ESTATE',
  },
  { code: '7020', name: 'Hoạt động tư vấn quản lý', trade: 'Tư vấn', english: 'CONSULTING' },
  { code: '7110', name: 'Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan', trade: 'Kiến trúc', english: 'ARCHITECTURE' },
  { code: '7310', name: 'Quảng cáo', trade: 'Truyền thông', english: 'MEDIA' },
  { code: '8230', name: 'Tổ chức giới thiệu và xúc tiến thương mại', trade: 'Sự kiện', english: 'EVENTS' },
  { code: '8559', name: 'Giáo dục khác chưa được phân vào đâu', trade: 'Giáo dục', english: 'EDUCATION' },
  {
    code: '7490',
    name: 'Hoạt động chuyên môn, khoa học và công nghệ khác chưa được phân vào đâu',
    trade: 'Khoa học kỹ thuật',
    english: 'SCIENCE AND TECHNOLOGY',
  },
  { code: '8299', name: 'Hoạt động dịch vụ hỗ trợ kinh doanh khác còn lại chưa được phân vào đâu', trade: 'Dịch vụ', english: 'SERVICES' },
];

/** Auspicious words Vietnamese firms are commonly named with ("Minh Phát", "Thành Đạt", …). */
export const BRAND_WORDS = [
  'Minh',
  'Phát',
  'Thành',
  'Đạt',
  'Hưng',
  'Thịnh',
  'An',
  'Phú',
  'Tân',
  'Việt',
  'Hoàng',
  'Long',
  'Phúc',
  'Lộc',
  'Trường',
  'Sơn',
  'Hải',
  'Nam',
  'Bắc',
  'Đông',
  'Quang',
  'Vĩnh',
  'Kim',
  'Ngọc',
  'Gia',
  'Bảo',
  'Thuận',
  'Hòa',
  'Tiến',
  'Đức',
] as const;

/** Positions a legal representative holds (chức danh). */
export const REPRESENTATIVE_POSITIONS = ['Giám đốc', 'Tổng giám đốc', 'Chủ tịch Hội đồng quản trị', 'Chủ tịch công ty', 'Chủ doanh nghiệp'] as const;
