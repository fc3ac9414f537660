"""Vietnamese family names: data only, for telling a name's order and for equivalent spellings.

The list holds the ~100 most common family names (the published top groups of
shared/reference/vietnam-id.md, then the long tail most frequent first).  It is used to recognise a
name recorded in Western order ("Văn An Nguyễn" for "Nguyễn Văn An"): a first word that is no
family name followed by a last word that is one.  Spellings follow the classic tone placement, the
rule of :func:`citizenid.vntext.tone_key`.  Every entry is one word: a two-word family name
(Âu Dương) would be read as family name and middle name, which keeps its first word as the key.
"""

from __future__ import annotations

FAMILY_NAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Vương", "Trịnh",
    "Trương", "Lâm", "Phùng", "Mai", "Tô", "Hà", "Tạ", "Lương", "Đinh", "Cao",
    "Chu", "Thái", "Lưu", "Châu", "Quách", "Kiều", "Tăng", "Hứa", "La", "Triệu",
    "Thân", "Khúc", "Khổng", "Kim", "Lã", "Mạc", "Nghiêm", "Ông", "Tôn", "Từ",
    "Âu", "Bạch", "Diệp", "Doãn", "Giang", "Giáp", "Hàn", "Hầu", "Kha", "Khương",
    "Lạc", "Lại", "Mã", "Ninh", "Phí", "Phương", "Quản", "Tiêu", "Trình", "Ứng",
    "Viên", "Cù", "Đàm", "Đồng", "Lục", "Lò", "Lường", "Quàng", "Khuất", "Tống",
    "Nông", "Ma", "Hoa", "Chung", "Đái", "Đậu", "Nghê", "Ôn", "Phó", "Phù",
    "Sầm", "Thạch", "Thiều", "Trang", "Uông", "Vi", "Yên", "Bế", "Trà", "Lỗ",
)
"""Family names, most frequent first.  "Văn" and "Thị" are left out on purpose: as the first word of
a record they are far more often a middle name written first than a family name."""

EQUIVALENT_FAMILY_NAMES: dict[str, str] = {
    # folded spelling -> folded key of the group; the northern spelling names the group.
    "huynh": "hoang",
    "vo": "vu",
}
"""Regional spellings of one family name: they compare equal under ``family_key``."""
