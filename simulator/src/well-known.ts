/**
 * Records developers can try at once (listed in ../CONTRACT.md). They are what the default seed produces; the
 * dataset test fails if generation changes them, so the documentation cannot drift.
 */
export const WELL_KNOWN = {
  citizens: {
    /** Trần Quốc Hòa, head of a 5-person household in Xã Tiền Phong, Nghệ An. */
    householdHead: '040074988660',
    /** Ngô Thị Anh, his wife. */
    spouse: '036180777846',
    /** Nguyễn Ngọc Hiếu, head of a 6-person household in Xã Gia Lâm, Hà Nội. */
    hanoiHead: '001076470701',
    /** Vũ Bảo Tiến, Catholic (TonGiao "02"), Phường Bắc Cam Ranh, Khánh Hòa. */
    withReligion: '093054011206',
    /** Nguyễn Thị Hằng, registered in Lào Cai, currently living in another commune. */
    livesElsewhere: '017155513357',
    /** Lại Trung Hậu, born 2010 (21st-century ID: century/gender digit 2). */
    bornAfter2000: '091210485451',
    /** Well-formed but not in the database: answered 404 / TonTai false. */
    notFound: '001099000000',
  },
  enterprises: {
    /** CÔNG TY TNHH MỘT THÀNH VIÊN XÂY DỰNG ĐỨC PHÚC, Cao Bằng. */
    oneMemberLlc: '0491470798',
    /** CÔNG TY CỔ PHẦN THIẾT BỊ LỘC TÂN (joint-stock). */
    jointStock: '5224442797',
    /** A Hà Nội company (tax prefix 01). */
    hanoi: '0109556934',
    /** A dissolved private enterprise (ENTERPRISE_STATUS "4"). */
    dissolved: '9615057487',
    /** Well-formed but not registered. */
    notFound: '0100000000',
  },
} as const;

/**
 * Records of the test environment (`/test/…`, default test seed), listed in ../CONTRACT.md. None of them is in the
 * production dataset, and no production record is in the test one.
 */
export const WELL_KNOWN_TEST = {
  citizens: {
    /** Võ Mạnh Thắng, head of a 4-person household in Xã Ea M’Droh, Đắk Lắk. */
    householdHead: '020067289952',
    /** Phan Văn Tuấn, head of a 5-person household in Xã Yên Thành, Nghệ An. */
    ngheAnHead: '040049689982',
    /** Phạm Thị An, head of a 3-person household in Phường Trường Vinh (16690), the development commune's ward. */
    wardResident: '040186994255',
  },
  enterprises: {
    /** CÔNG TY TNHH MỘT THÀNH VIÊN THƯƠNG MẠI NAM THUẬN, Thành phố Hồ Chí Minh. */
    oneMemberLlc: '0302703457',
    /** CÔNG TY CỔ PHẦN THỦY SẢN BẢO HOÀNG, dissolved (ENTERPRISE_STATUS "4"). */
    dissolved: '8623687441',
  },
} as const;
