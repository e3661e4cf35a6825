/** The shell's own texts. */
export const shellTexts = {
  portalName: { vi: 'Cổng LGSP Nghệ An', en: 'LGSP Nghệ An portal' },
  tagline: { vi: 'Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Nghệ An', en: 'Nghệ An data integration and sharing platform' },
  signInCivilServant: { vi: 'Đăng nhập (cán bộ, công chức)', en: 'Sign in (civil servants)' },
  signInCitizen: {
    vi: 'Đăng nhập bằng định danh điện tử (VNeID) — công dân, doanh nghiệp',
    en: 'Sign in with the national e-ID (VNeID) — citizens, businesses',
  },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  loading: { vi: 'Đang tải…', en: 'Loading…' },
  accessDenied: { vi: 'Bạn không có quyền mở trang này', en: 'You may not open this page' },
  accessDeniedDetail: {
    vi: 'Trang này dành cho vai trò khác. Lần truy cập đã được ghi nhật ký. Hãy quay về trang chủ.',
    en: 'This page is for another role. The attempt was recorded. Go back to the home page.',
  },
  notFound: { vi: 'Không tìm thấy trang', en: 'Page not found' },
  home: { vi: 'Trang chủ', en: 'Home' },
  sessionExpired: { vi: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.', en: 'Your session has expired. Please sign in again.' },
  signInAgain: { vi: 'Đăng nhập lại', en: 'Sign in again' },
  signInFailed: { vi: 'Đăng nhập không thành công', en: 'Sign-in failed' },
  language: { vi: 'English', en: 'Tiếng Việt' },
  groups: {
    developer: { vi: 'Lập trình viên', en: 'Developer' },
    agency: { vi: 'Quản trị cơ quan', en: 'Agency administration' },
    provider: { vi: 'Cung cấp dịch vụ', en: 'Providing services' },
    operator: { vi: 'Vận hành', en: 'Operations' },
    'civil-servant': { vi: 'Ứng dụng', en: 'Applications' },
    citizen: { vi: 'Dữ liệu của tôi', en: 'My data' },
  },
} as const;
