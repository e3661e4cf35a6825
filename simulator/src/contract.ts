/**
 * The wire contract of the national-platform simulator (see ../CONTRACT.md). Field names are Vietnamese, as the
 * national platform's JSON (converted from the SOAP `CongdanCollection`, ns http://www.mic.gov.vn/dancu/1.0, and the
 * `apiCSDLDKDN` JSON) uses them; the comments give each field's meaning.
 */

/** Họ và tên: family name, middle name(s), given name. */
export interface HoVaTen {
  /** Họ — family name ("Nguyễn"). */
  Ho: string;
  /** Chữ đệm — middle name(s) ("Văn", "Thị Thu"); may be empty. */
  ChuDem: string;
  /** Tên — given name ("An"). */
  Ten: string;
}

/** Địa chỉ: an address in the two-tier administrative list (province → commune). */
export interface DiaChi {
  /** Chi tiết — house number, street, hamlet ("Số 12, đường Lê Lợi", "Thôn Đông"). */
  ChiTiet: string;
  /** Mã xã — GSO commune code, five digits ("00004"), two-tier list in force since 2025-07-01. */
  MaXa: string;
  /** Tên xã — commune name ("Phường Ba Đình"). */
  TenXa: string;
  /** Mã tỉnh — GSO province code, two digits ("01"). */
  MaTinh: string;
  /** Tên tỉnh — province name ("Thành phố Hà Nội"). */
  TenTinh: string;
  /** Quốc gia — ISO 3166-1 alpha-2 ("VN"). */
  QuocGia: string;
  /** Địa chỉ đầy đủ — the address on one line. */
  DiaChiDayDu: string;
}

/** A parent (Cha / Mẹ) as the XSD `CongDan/Cha` gives it. */
export interface NguoiThan {
  SoDinhDanh: string;
  /** ISO 3166-1 alpha-2. */
  QuocTich: string;
  HoVaTen: HoVaTen;
}

/** A member of the household (thành viên hộ) with the relation to the head of household. */
export interface ThanhVienHo {
  SoDinhDanh: string;
  HoVaTen: HoVaTen;
  /** Quan hệ với chủ hộ — "Chủ hộ", "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Cháu", "Anh", "Chị", "Em". */
  QuanHe: string;
}

/** One citizen record of the population database (CSDL quốc gia về dân cư). */
export interface CongDan {
  /** Số định danh cá nhân — 12 digits: birth-province code (3), century/gender (1), year of birth (2), random (6). */
  SoDinhDanh: string;
  /** Số chứng minh nhân dân (9 digits, the old identity card) or "" when the citizen never had one. */
  SoCMND: string;
  HoVaTen: HoVaTen;
  /** Ngày tháng năm sinh — `NgayThangNam` as yyyyMMdd. */
  NgayThangNamSinh: { NgayThangNam: string };
  /** Giới tính — "1" nam (male), "2" nữ (female). */
  GioiTinh: '1' | '2';
  /** Dân tộc — code of Quyết định 121-TCTK/PPCĐ, "01" (Kinh) … "54" (Rơ măm). */
  DanToc: string;
  /** Tôn giáo — religion code, or null for "không" (no religion). */
  TonGiao: string | null;
  /** Quốc tịch — ISO 3166-1 alpha-2 ("VN"). */
  QuocTich: string;
  /** Nơi thường trú — permanent residence. */
  NoiThuongTru: DiaChi;
  /** Nơi ở hiện tại — current residence (often the same as NoiThuongTru). */
  NoiOHienTai: DiaChi;
  Cha: NguoiThan | null;
  Me: NguoiThan | null;
  /** Mã hộ — household number (số hộ khẩu). */
  MaHo: string;
  /** Chủ hộ — the head of the household this citizen belongs to. */
  ChuHo: { SoDinhDanh: string; HoVaTen: HoVaTen };
  /** Quan hệ với chủ hộ — this citizen's relation to the head ("Chủ hộ" for the head). */
  QuanHeVoiChuHo: string;
  /** Thành viên hộ — every member of the household, the head first. */
  ThanhVienHo: ThanhVienHo[];
}

/** `GET /dancu/1.0/congdan/{soDinhDanh}` → 200, shaped as the SOAP `CongdanCollection` converted to JSON. */
export interface CongdanCollectionResponse {
  CongdanCollection: {
    /** Number of records in `CongDan`, as a string (XSD attribute). */
    SoCongDan: string;
    /** Data timestamp (ISO 8601). */
    ThoiDiemDuLieu: string;
    CongDan: CongDan[];
  };
}

/** `POST /dancu/1.0/congdan/batch` body. */
export interface CongDanBatchRequest {
  /** 1–100 personal IDs; duplicates are answered once per occurrence. */
  SoDinhDanh: string[];
}

/** One answer per requested id, in request order. */
export type CongDanBatchItem =
  | { SoDinhDanh: string; TonTai: true; CongDan: CongDan }
  | { SoDinhDanh: string; TonTai: false; MaLoi: '201'; MoTaLoi: 'RECORD_NOT_FOUND' }
  | { SoDinhDanh: string; TonTai: false; MaLoi: '302'; MoTaLoi: 'DATA_TYPE_INVALID' };

/** `POST /dancu/1.0/congdan/batch` → 200. */
export interface CongDanBatchResponse {
  ThoiDiemDuLieu: string;
  /** Number of ids found. */
  SoCongDan: number;
  KetQua: CongDanBatchItem[];
}

/** Error body for every non-2xx answer of a data endpoint (codes from the provincial LGSP documents). */
export interface LoiResponse {
  Status: '0';
  /** 100 AUTHEN_ERROR, 201 RECORD_NOT_FOUND, 302 DATA_TYPE_INVALID, 303 LIMIT_EXCEEDED, 503 SERVICE_UNAVAILABLE. */
  MaLoi: string;
  MoTaLoi: string;
  Message: string;
}

/** `MainInformation` of `chiTietDoanhNghiep`. Dates are dd/MM/yyyy strings. */
export interface ThongTinChinhDoanhNghiep {
  ENTERPRISE_ID: string;
  /** Mã số doanh nghiệp (= mã số thuế), 10 digits with a check digit. */
  ENTERPRISE_GDT_CODE: string;
  ENTERPRISE_TYPE_ID: string;
  /** Loại hình doanh nghiệp. */
  ENTERPRISE_TYPE_NAME: string;
  /** Tên doanh nghiệp (Vietnamese). */
  NAME: string;
  /** Tên viết tắt. */
  SHORT_NAME: string;
  /** Tên nước ngoài. */
  NAME_F: string;
  FOUNDING_DATE: string;
  LAST_AMEND_DATE: string;
  NUMBER_CHANGES: number;
  /** Tình trạng hoạt động code ("1" đang hoạt động …). */
  ENTERPRISE_STATUS: string;
  ENTERPRISE_STATUS_NAME: string;
  /** Legal representatives' names joined by ";". */
  LEGAL_NAMES: string;
  /** Vốn điều lệ in VND. */
  CAPITAL_AMOUNT: number;
}

/** `HOAdress`: head-office address (trụ sở chính). District fields are empty in the two-tier list. */
export interface DiaChiTruSo {
  CityID: string;
  CityName: string;
  DistrictID: string;
  DistrictName: string;
  WardID: string;
  WardName: string;
  StreetNumber: string;
  AddressFullText: string;
}

export interface NganhNghe {
  /** VSIC 2018 level-4 code. */
  CODE: string;
  NAME: string;
  /** "Y" for the main business line (ngành nghề chính). */
  IS_MAIN: 'Y' | 'N';
}

export interface ThanhVienGopVon {
  MEMBER_NAME: string;
  /** Contributed capital in VND. */
  AMOUNT: number;
  RATIO_PERCENT: number;
  COUNTRY: string;
}

/** Người đại diện theo pháp luật. */
export interface NguoiDaiDien {
  FULL_NAME: string;
  /** The representative's 12-digit personal ID (a citizen of the population database). */
  PERSONAL_ID: string;
  /** Chức danh. */
  POSITION: string;
}

/** `GET /apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=` → 200. */
export interface ChiTietDoanhNghiep {
  MainInformation: ThongTinChinhDoanhNghiep;
  HOAdress: DiaChiTruSo;
  BusinessActivity: NganhNghe[];
  Member: ThanhVienGopVon[];
  LegalRepresentative: NguoiDaiDien[];
  DataCount: number;
  /** "1" success. */
  Status: '1';
  Message: string;
}

/** `POST /apiCSDLDKDN/1.0/chiTietDoanhNghiep/batch` body. */
export interface DoanhNghiepBatchRequest {
  /** 1–100 enterprise codes. */
  msdn: string[];
}

export type DoanhNghiepBatchItem =
  ({ msdn: string; TonTai: true } & ChiTietDoanhNghiep) | { msdn: string; TonTai: false; Status: '0'; MaLoi: '201' | '302'; Message: string };

export interface DoanhNghiepBatchResponse {
  DataCount: number;
  KetQua: DoanhNghiepBatchItem[];
}

/** `POST /token` → 200 (WSO2 API Manager client-credentials grant). */
export interface TokenResponse {
  access_token: string;
  scope: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The most ids a batch call accepts. */
export const BATCH_LIMIT = 100;
