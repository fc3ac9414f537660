"""Vietnamese name stock for the synthetic population: data only, weights are relative frequencies.

Sources and assumptions are in docs/decisions/0003-synthetic-population.md.  Family-name shares of the
top groups are the published sample figures (shared/reference/vietnam-id.md); everything else is an
approximation from name-frequency lists and is only meant to look like a real register, not to be
quoted.  Spellings follow the classic tone placement ("Hòa", "Thúy", "Thủy") used by civil-status forms,
the same rule as :func:`citizenid.vntext.tone_key`.
"""

from __future__ import annotations

# Surname groups with their national share in percent.  A pair is one family name written the
# northern or the southern way (Hoàng/Huỳnh, Vũ/Võ); the sampler picks the spelling by region.
FAMILY_NAME_GROUPS: tuple[tuple[str, str, float], ...] = (
    # (northern spelling, southern spelling, share %)
    ("Nguyễn", "Nguyễn", 38.4),
    ("Trần", "Trần", 11.5),
    ("Lê", "Lê", 9.5),
    ("Phạm", "Phạm", 7.1),
    ("Hoàng", "Huỳnh", 5.1),
    ("Phan", "Phan", 4.5),
    ("Vũ", "Võ", 3.9),
    ("Đặng", "Đặng", 2.1),
    ("Bùi", "Bùi", 2.0),
    ("Đỗ", "Đỗ", 1.4),
    ("Hồ", "Hồ", 1.3),
    ("Ngô", "Ngô", 1.3),
    ("Dương", "Dương", 1.0),
    ("Lý", "Lý", 0.5),
)

# The long tail of real Vietnamese family names, most frequent first; the sampler gives them
# Zipf-like weights over whatever share the groups above leave.
FAMILY_NAME_TAIL: tuple[str, ...] = (
    "Đào", "Đoàn", "Vương", "Trịnh", "Trương", "Lâm", "Phùng", "Mai", "Tô", "Hà",
    "Tạ", "Lương", "Đinh", "Cao", "Chu", "Thái", "Lưu", "Châu", "Quách", "Kiều",
    "Tăng", "Hứa", "La", "Văn", "Triệu", "Thân", "Khúc", "Khổng", "Kim", "Lã",
    "Mạc", "Nghiêm", "Ông", "Tôn", "Từ", "Âu", "Bạch", "Diệp", "Doãn", "Giang",
    "Giáp", "Hàn", "Hầu", "Kha", "Khương", "Lạc", "Lại", "Mã", "Ninh", "Phí",
    "Phương", "Quản", "Tiêu", "Trình", "Ứng", "Viên", "Cù", "Đàm", "Đồng", "Lục",
    "Lữ", "Mẫn", "Nhâm", "Quang", "Sử", "Thạch", "Thi", "Tống", "Vi", "Yên",
    "Bế", "Nông", "Cấn", "Chung", "Đường", "Hàm", "Lò", "Mông", "Phó", "Thiều",
    "Hoa", "Công", "Lều", "Bành", "Cung", "Đậu", "Lỗ", "Tào",
)

# Family names of ethnic groups whose surnames are their own, keyed by the ethnic code of
# citizenid.refdata (2019 census list); weights are relative within the group.  Other minorities
# (Tày, Nùng, Mường ...) mostly carry names of the common stock and draw from it.
ETHNIC_FAMILY_NAMES: dict[str, tuple[tuple[str, float], ...]] = {
    # Thái
    "03": (("Lò", 20), ("Lường", 12), ("Cầm", 10), ("Quàng", 10), ("Tòng", 8), ("Vi", 8), ("Hà", 10),
           ("Lộc", 6), ("Điêu", 5), ("Lự", 4), ("Mè", 3), ("Sầm", 4)),
    # Khmer
    "05": (("Thạch", 28), ("Danh", 20), ("Sơn", 14), ("Kim", 10), ("Lâm", 8), ("Chau", 8), ("Kiên", 5),
           ("Lý", 4), ("Trần", 3)),
    # Mông
    "08": (("Giàng", 18), ("Sùng", 14), ("Vàng", 14), ("Thào", 13), ("Lý", 10), ("Hạng", 8), ("Mùa", 8),
           ("Lầu", 6), ("Vừ", 5), ("Cứ", 4)),
    # Dao
    "09": (("Triệu", 28), ("Bàn", 24), ("Đặng", 16), ("Lý", 14), ("Chảo", 8), ("Phùng", 6), ("Tẩn", 4)),
}
MONG = "08"

# Mông men carry "A" or a clan word as a middle name and short given names of their own.
MONG_MALE_MIDDLE = "A"
MONG_GIVEN_MALE: tuple[tuple[str, float], ...] = (
    ("Páo", 10), ("Dế", 8), ("Sử", 8), ("Chứ", 7), ("Pó", 6), ("Sình", 6), ("Vảng", 6), ("Chừ", 5),
    ("Nủ", 5), ("Lử", 5), ("Tủa", 5), ("Dính", 5), ("Cở", 4), ("Mua", 4), ("Chính", 4), ("Sùng", 3),
)
MONG_GIVEN_FEMALE: tuple[tuple[str, float], ...] = (
    ("Mỷ", 10), ("Dở", 8), ("Súa", 8), ("Pà", 8), ("Chía", 6), ("Xúa", 6), ("Mai", 6), ("Lan", 5),
    ("Sua", 5), ("Dung", 5), ("Sinh", 4), ("Ly", 4), ("Phềnh", 3), ("Chở", 3),
)

# The classic middle names: share among each birth cohort is in COHORT_MIDDLE below.
MIDDLE_MALE_CLASSIC = "Văn"
MIDDLE_FEMALE_CLASSIC = "Thị"

MIDDLE_MALE: tuple[tuple[str, float], ...] = (
    ("Hữu", 10), ("Đức", 12), ("Minh", 14), ("Quốc", 9), ("Gia", 7), ("Thanh", 8), ("Công", 8),
    ("Xuân", 5), ("Đình", 8), ("Ngọc", 6), ("Trọng", 5), ("Quang", 8), ("Hoàng", 7), ("Anh", 6),
    ("Tuấn", 4), ("Bảo", 5), ("Thế", 5), ("Duy", 5), ("Tiến", 4), ("Việt", 4), ("Chí", 4),
    ("Mạnh", 3), ("Nhật", 4), ("Hoài", 2), ("Khánh", 3), ("Trung", 3), ("Phúc", 2), ("Đăng", 3),
    ("Thành", 4), ("Huy", 3), ("Kim", 2), ("Bá", 3), ("Tấn", 4), ("Thiện", 2), ("Vĩnh", 2),
    ("Hải", 3), ("Trí", 2), ("Tất", 1), ("Như", 1), ("Phước", 2),
)
MIDDLE_FEMALE: tuple[tuple[str, float], ...] = (
    ("Ngọc", 14), ("Thu", 10), ("Thanh", 10), ("Kim", 8), ("Minh", 8), ("Hoài", 4), ("Phương", 7),
    ("Thùy", 7), ("Bảo", 6), ("Mỹ", 6), ("Diệu", 3), ("Khánh", 5), ("Hồng", 6), ("Xuân", 5),
    ("Quỳnh", 4), ("Hải", 4), ("Cẩm", 3), ("Bích", 4), ("Thảo", 3), ("Mai", 3), ("Lan", 2), ("Như", 4),
    ("Tuyết", 2), ("Hà", 3), ("Thúy", 4), ("Vân", 2), ("Hương", 2), ("Gia", 3), ("Tường", 2),
    ("Huyền", 2), ("Yến", 2), ("Uyên", 1), ("Lệ", 2), ("Kiều", 2), ("Nhã", 2), ("Anh", 3),
)

# Two-word middles are rare before 1980 and common among children born after 2000.
MIDDLE_MALE_DOUBLE: tuple[tuple[str, float], ...] = (
    ("Văn Minh", 6), ("Văn Đức", 4), ("Hoàng Minh", 6), ("Minh Đức", 5), ("Quốc Bảo", 5),
    ("Gia Minh", 4), ("Đức Minh", 5), ("Hữu Minh", 4), ("Ngọc Minh", 3), ("Nhật Minh", 4),
    ("Hoàng Gia", 3), ("Minh Quang", 3), ("Thanh Tuấn", 3), ("Bảo Gia", 2), ("Đăng Khôi", 2),
    ("Quang Minh", 4), ("Trọng Minh", 2), ("Anh Đức", 2), ("Duy Minh", 2), ("Thế Anh", 2),
)
MIDDLE_FEMALE_DOUBLE: tuple[tuple[str, float], ...] = (
    ("Thị Minh", 8), ("Thị Thu", 10), ("Thị Ngọc", 8), ("Thị Thanh", 8), ("Thị Kim", 6),
    ("Thị Hồng", 6), ("Thị Mỹ", 4), ("Thị Bích", 4), ("Thị Thúy", 4), ("Thị Phương", 4),
    ("Ngọc Bảo", 4), ("Bảo Ngọc", 4), ("Ngọc Minh", 3), ("Phương Thảo", 2), ("Minh Ngọc", 4),
    ("Khánh Ngọc", 3), ("Hoài Thu", 2), ("Thị Thùy", 3), ("Thị Hoài", 2), ("Gia Bảo", 2),
)

# Cohorts by birth year (lower bounds) and, for each, three probabilities: the classic middle name,
# a two-word middle, no middle name at all.
COHORT_START_YEARS: tuple[int, ...] = (1900, 1960, 1980, 1995, 2010)
COHORT_MIDDLE: dict[str, tuple[tuple[float, float, float], ...]] = {
    "M": ((0.78, 0.02, 0.015), (0.62, 0.04, 0.01), (0.42, 0.10, 0.008), (0.26, 0.20, 0.005),
          (0.12, 0.30, 0.005)),
    "F": ((0.88, 0.02, 0.015), (0.74, 0.05, 0.01), (0.52, 0.12, 0.008), (0.32, 0.22, 0.005),
          (0.16, 0.32, 0.005)),
}

GIVEN_MALE: tuple[tuple[str, float], ...] = (
    ("Hùng", 60), ("Dũng", 58), ("Tuấn", 62), ("Minh", 70), ("Nam", 55), ("Hải", 52), ("Long", 50),
    ("Sơn", 48), ("Thắng", 45), ("Đức", 50), ("Hiếu", 38), ("Huy", 48), ("Hoàng", 40), ("Hưng", 38),
    ("Khoa", 32), ("Khánh", 30), ("Kiên", 25), ("Lâm", 22), ("Lộc", 24), ("Luân", 10), ("Mạnh", 26),
    ("Nghĩa", 28), ("Nhân", 22), ("Phong", 30), ("Phúc", 30), ("Phương", 14), ("Quân", 36),
    ("Quang", 34), ("Quý", 18), ("Sang", 16), ("Tài", 22), ("Tâm", 24), ("Tân", 18), ("Thành", 44),
    ("Thanh", 30), ("Thịnh", 22), ("Thọ", 10), ("Tiến", 28), ("Toàn", 26), ("Trí", 22), ("Trung", 34),
    ("Trường", 24), ("Tú", 18), ("Tùng", 30), ("Vinh", 28), ("Việt", 26), ("Vũ", 22), ("An", 26),
    ("Anh", 55), ("Bảo", 30), ("Bình", 30), ("Cường", 34), ("Chiến", 22), ("Công", 18), ("Cảnh", 10),
    ("Chính", 12), ("Danh", 10), ("Dương", 16), ("Duy", 26), ("Đạt", 34), ("Định", 12), ("Đông", 12),
    ("Giang", 10), ("Hào", 10), ("Hậu", 14), ("Hiển", 10), ("Hiệp", 16), ("Hòa", 16), ("Học", 6),
    ("Hợp", 8), ("Huân", 8), ("Khang", 18), ("Khải", 10), ("Khôi", 20), ("Lợi", 14), ("Lực", 8),
    ("Lượng", 8), ("Nghị", 6), ("Nguyên", 18), ("Nhật", 16), ("Ninh", 8), ("Phát", 16), ("Phú", 14),
    ("Phước", 14), ("Quyết", 10), ("Sỹ", 6), ("Thái", 14), ("Thạch", 6), ("Thiện", 14), ("Thông", 12),
    ("Thuận", 14), ("Tín", 12), ("Tình", 8), ("Toản", 6), ("Trọng", 12), ("Tuyên", 6), ("Tường", 10),
    ("Vĩnh", 8), ("Vỹ", 8), ("Xuân", 10), ("Bách", 8), ("Bằng", 8), ("Biên", 6), ("Châu", 6),
    ("Chung", 8), ("Cương", 6), ("Đại", 8), ("Đăng", 10), ("Độ", 4), ("Hoan", 6), ("Hội", 4),
    ("Huấn", 6), ("Hưởng", 6), ("Kha", 4), ("Khương", 6), ("Kỳ", 4), ("Lập", 6), ("Liêm", 6),
    ("Lĩnh", 6), ("Luật", 4), ("Mẫn", 4), ("Mừng", 4), ("Phi", 8), ("Quảng", 4), ("Quyền", 8),
    ("Sáng", 6), ("Sinh", 6), ("Tấn", 8), ("Thạnh", 6), ("Thăng", 6), ("Thiết", 4), ("Tiệp", 6),
    ("Toại", 4), ("Triều", 6), ("Trực", 4), ("Tuân", 6), ("Tuệ", 4), ("Vượng", 6), ("Lân", 6),
    ("Khiêm", 6), ("Đạo", 4), ("Hiền", 6), ("Kiệt", 12), ("Khoát", 4), ("Lành", 4), ("Nhất", 6),
    ("Phụng", 4), ("Tạo", 4), ("Thủy", 4), ("Trãi", 2), ("Uy", 4),
)

GIVEN_FEMALE: tuple[tuple[str, float], ...] = (
    ("Anh", 60), ("Linh", 62), ("Hương", 58), ("Hà", 52), ("Trang", 60), ("Huyền", 50), ("Ngọc", 45),
    ("Lan", 48), ("Hoa", 46), ("Thảo", 50), ("Hằng", 44), ("Nhung", 36), ("Phương", 40), ("Thủy", 40),
    ("Mai", 42), ("Dung", 34), ("Hạnh", 32), ("Yến", 34), ("Thu", 30), ("Nga", 30), ("Loan", 26),
    ("Vân", 30), ("Oanh", 22), ("Hiền", 30), ("Chi", 30), ("Nhi", 32), ("Vy", 30), ("Thư", 26),
    ("Hồng", 28), ("Tuyết", 22), ("Trinh", 20), ("Quỳnh", 28), ("Liên", 24), ("Hoài", 14), ("Châu", 12),
    ("My", 22), ("Ly", 20), ("Diệu", 8), ("Giang", 24), ("Hậu", 10), ("Huệ", 18), ("Hường", 18),
    ("Khánh", 12), ("Kim", 12), ("Lệ", 14), ("Liễu", 10), ("Lụa", 6), ("Mến", 8), ("Minh", 14),
    ("Mơ", 6), ("Nhàn", 12), ("Như", 16), ("Nguyệt", 14), ("Phượng", 16), ("Quyên", 12), ("Sen", 6),
    ("Tâm", 18), ("Thắm", 12), ("Thanh", 22), ("Thơ", 10), ("Thoa", 10), ("Thúy", 24), ("Thùy", 18),
    ("Thương", 16), ("Tiên", 12), ("Trâm", 14), ("Trúc", 10), ("Tú", 8), ("Uyên", 18), ("Vui", 4),
    ("Xuân", 14), ("Ánh", 14), ("Bích", 12), ("Bình", 8), ("Cúc", 10), ("Diễm", 10), ("Duyên", 16),
    ("Đào", 8), ("Gấm", 4), ("Hạ", 6), ("Hân", 14), ("Khuê", 6), ("Lam", 6), ("Lành", 4), ("Lài", 4),
    ("Lý", 8), ("Mận", 4), ("Mỹ", 10), ("Na", 6), ("Ngân", 20), ("Nhiên", 8), ("Quế", 4), ("Sương", 8),
    ("Thi", 8), ("Thục", 6), ("Thuận", 6), ("Trà", 8), ("Trân", 8), ("Tuyền", 8), ("An", 14),
    ("Băng", 6), ("Cầm", 4), ("Di", 6), ("Dịu", 6), ("Điệp", 6), ("Đoan", 6), ("Hợp", 4), ("Kiều", 10),
    ("Lộc", 4), ("Luyến", 6), ("Miên", 4), ("Nguyên", 6), ("Nhã", 8), ("Phụng", 4), ("Sa", 4),
    ("San", 4), ("Thêu", 4), ("Thơm", 6), ("Tình", 6), ("Tươi", 6), ("Xuyến", 6), ("Yên", 4),
    ("Hảo", 8), ("Hiên", 4), ("Hoan", 4), ("Hòa", 10), ("Huyên", 4), ("Khanh", 8), ("Lâm", 4),
    ("Len", 2), ("Lê", 4), ("Lịch", 2), ("Lựu", 4), ("Mùi", 4), ("Ngà", 8), ("Nhạn", 4), ("Nhị", 4),
    ("Nhu", 4), ("Nương", 4), ("Phấn", 2), ("Quý", 6), ("Sinh", 4), ("Thảnh", 2), ("Thắng", 2),
    ("Thìn", 4), ("Thoan", 2), ("Trầm", 2), ("Vinh", 4), ("Xoan", 4), ("Yêu", 2),
)

# Streets named after national figures and dates, found in most Vietnamese towns.
STREETS: tuple[str, ...] = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Nguyễn Trãi",
    "Lê Duẩn", "Phan Chu Trinh", "Phan Bội Châu", "Quang Trung", "Trần Phú", "Hùng Vương",
    "Điện Biên Phủ", "Nguyễn Văn Cừ", "Lê Thánh Tông", "Ngô Quyền", "Bà Triệu", "Trường Chinh",
    "Võ Thị Sáu", "Nguyễn Du", "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám", "Hoàng Văn Thụ",
    "Lê Hồng Phong", "Nguyễn Tất Thành", "Đinh Tiên Hoàng", "Lý Thái Tổ", "Trần Quốc Toản",
    "Lạc Long Quân", "Âu Cơ", "Nguyễn Văn Linh", "Phạm Văn Đồng", "Võ Văn Kiệt", "Tôn Đức Thắng",
    "Chu Văn An", "Nguyễn Khuyến", "Phạm Ngũ Lão", "Yết Kiêu", "Hoàng Diệu", "Nguyễn Chí Thanh",
    "Nguyễn Đình Chiểu", "Hàm Nghi", "Tô Hiến Thành", "Bạch Đằng", "Lê Lai", "Trần Nhân Tông",
    "Nguyễn Công Trứ", "Mạc Đĩnh Chi", "Huỳnh Thúc Kháng", "Hà Huy Tập", "Lê Quý Đôn",
    "Nguyễn Thái Học", "Trần Khánh Dư", "Nguyễn Trung Trực", "Phan Đình Phùng", "Lê Văn Sỹ",
    "Trần Quang Khải", "Hoàng Hoa Thám", "Nguyễn Văn Trỗi", "Lý Tự Trọng", "Ba Tháng Hai",
    "Ba Mươi Tháng Tư", "Nguyễn An Ninh", "Trưng Nữ Vương", "Đội Cấn", "Kim Đồng",
)

# Hamlet names: "Thôn" in the north and centre, "Ấp" in the south, "Bản" in the northern mountains.
# A numbered hamlet ("Thôn 3") is as common as a named one.
HAMLETS_THON: tuple[str, ...] = (
    "Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Tân Lập", "Tân Thành", "Yên Lạc",
    "Yên Thịnh", "Phú Mỹ", "An Bình", "Hòa Bình", "Đại Đồng", "Hưng Long", "Phúc Lâm", "Đồng Tâm",
    "Xuân Hòa", "Thanh Bình", "Quyết Tiến", "Tiền Phong", "Thắng Lợi", "Hợp Thành", "Lương Điền",
    "Vân Hội", "Cổ Loan", "Mỹ Thượng", "Kim Sơn", "Trung Hậu",
)
HAMLETS_AP: tuple[str, ...] = (
    "Tân Hòa", "Bình Thạnh", "Long Thới", "Mỹ Phước", "Phú Hưng", "An Phú", "Tân Phú", "Bình An",
    "Long Hòa", "Mỹ Lợi", "Vĩnh Thạnh", "Thạnh Lợi", "Phước Hòa", "Tân Lợi", "Hòa Thuận", "An Thạnh",
    "Bình Trung", "Long Bình", "Mỹ Hòa", "Phú Thạnh", "Tân Quới", "Hưng Lợi", "Thới An", "Xóm Mới",
    "Kinh Xáng", "Rạch Sỏi", "Cây Dương", "Bàu Sen", "Giồng Trôm", "Phước Thạnh",
)
HAMLETS_BAN: tuple[str, ...] = (
    "Nà Hang", "Pác Ngòi", "Hua Tát", "Lác", "Cát Cát", "Tả Van", "Nậm Cang", "Phiêng Luông",
    "Huổi Lóng", "Co Muông", "Nà Sang", "Khun Há", "Sín Chải", "Lao Chải", "Nà Phặc", "Bó Mạ",
    "Nà Đon", "Pác Bó", "Nậm Pồ", "Huổi Một", "Phiêng Ban", "Nà Tấu", "Mường Phăng", "Khuổi Ky",
    "Tà Xùa", "Nà Lốc", "Phìn Hồ", "Hang Kia", "Sà Phìn", "Lũng Cú",
)

# Household relationships, in the order their codes are stored.
RELATIONSHIPS: tuple[str, ...] = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
