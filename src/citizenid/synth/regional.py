"""Where people live and move, and where minorities and religions concentrate: data only, coarse.

Keys are legacy province codes and the ethnic and religion codes of :mod:`citizenid.refdata`.  The
figures are rounded from the 2019 census and the provinces' own descriptions; they exist to make a
synthetic register look right on a map, not to be quoted (docs/decisions/0003-synthetic-population.md).
"""

from __future__ import annotations

# Regions by legacy province code range (inclusive upper bounds).  They pick the spelling of
# Hoàng/Huỳnh and Vũ/Võ, the word for a hamlet, and the shape of a street address.
NORTHERN_MOUNTAINS = "northern_mountains"
RED_RIVER = "red_river"
NORTH_CENTRAL = "north_central"
SOUTH_CENTRAL = "south_central"
HIGHLANDS = "highlands"
SOUTHEAST = "southeast"
MEKONG = "mekong"

REGIONS: tuple[str, ...] = (
    NORTHERN_MOUNTAINS, RED_RIVER, NORTH_CENTRAL, SOUTH_CENTRAL, HIGHLANDS, SOUTHEAST, MEKONG,
)
MOUNTAIN_PROVINCES = frozenset(
    {"02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"}
)
REGION_UPPER_BOUNDS: tuple[tuple[str, str], ...] = (
    ("37", RED_RIVER),
    ("46", NORTH_CENTRAL),
    ("60", SOUTH_CENTRAL),
    ("68", HIGHLANDS),
    ("79", SOUTHEAST),
    ("96", MEKONG),
)

# Probability that a family writes its name the southern way, by region: Huỳnh for Hoàng, then Võ
# for Vũ.
SOUTHERN_SPELLING: dict[str, tuple[float, float]] = {
    NORTHERN_MOUNTAINS: (0.02, 0.03),
    RED_RIVER: (0.02, 0.03),
    NORTH_CENTRAL: (0.1, 0.55),
    SOUTH_CENTRAL: (0.8, 0.9),
    HIGHLANDS: (0.5, 0.6),
    SOUTHEAST: (0.75, 0.85),
    MEKONG: (0.9, 0.95),
}

# A hamlet is a "Thôn" in the north and centre, an "Ấp" in the south, a "Bản" in the northern
# mountains; the Central Highlands mostly use "Thôn" in records.
HAMLET_WORD: dict[str, str] = {
    NORTHERN_MOUNTAINS: "Bản",
    RED_RIVER: "Thôn",
    NORTH_CENTRAL: "Thôn",
    SOUTH_CENTRAL: "Thôn",
    HIGHLANDS: "Thôn",
    SOUTHEAST: "Ấp",
    MEKONG: "Ấp",
}

# Internal migration: the share of households living away from their home province, and where the
# movers go.  Most of them go to the two metropolises and the industrial south-east.
MIGRANT_SHARE = 0.2
MIGRANTS_TO_HUBS = 0.6
MIGRATION_HUBS: dict[str, float] = {
    "79": 0.40,  # TP. Hồ Chí Minh
    "74": 0.20,  # Bình Dương, part of TP. Hồ Chí Minh since 2025
    "01": 0.25,  # Hà Nội
    "75": 0.10,  # Đồng Nai
    "48": 0.05,  # Đà Nẵng
}

# Home provinces of ethnic minorities (legacy codes), where most of each group lives.
ETHNIC_HOME_SHARE = 0.85
ETHNIC_HOMES: dict[str, tuple[str, ...]] = {
    "02": ("04", "20", "06", "08", "02", "19", "15", "10", "24", "22"),  # Tày
    "03": ("14", "11", "12", "40", "38", "15", "17"),  # Thái
    "04": ("79", "94", "91", "75", "95", "22"),  # Hoa
    "05": ("94", "84", "91", "89", "95", "96", "92", "86", "93"),  # Khmer
    "06": ("17", "38", "25", "37", "14"),  # Mường
    "07": ("20", "04", "02", "19", "24", "66", "67"),  # Nùng
    "08": ("02", "10", "11", "12", "14", "15", "40", "38"),  # Mông
    "09": ("02", "08", "10", "15", "06", "20", "22", "04"),  # Dao
    "10": ("64", "62"),  # Gia Rai
    "11": ("22",),  # Ngái
    "12": ("66", "54"),  # Ê Đê
    "13": ("64", "62", "52"),  # Ba Na
    "14": ("62", "49"),  # Xơ Đăng
    "15": ("08", "19", "24"),  # Sán Chay
    "16": ("68",),  # Cơ Ho
    "17": ("58", "60", "89"),  # Chăm
    "18": ("19", "26", "24", "22"),  # Sán Dìu
    "19": ("51",),  # Hrê
    "20": ("67", "66"),  # Mnông
    "21": ("58", "56"),  # Raglay
    "22": ("70",),  # Xtiêng
    "23": ("45", "44"),  # Bru-Vân Kiều
    "24": ("40", "38"),  # Thổ
    "25": ("10", "12", "02"),  # Giáy
    "26": ("49", "46"),  # Cơ Tu
    "27": ("62", "49"),  # Gié Triêng
    "28": ("68", "67"),  # Mạ
    "29": ("40", "11", "14"),  # Khơ Mú
    "30": ("51", "49"),  # Co
    "31": ("46", "45"),  # Tà Ôi
    "32": ("75",),  # Chơ Ro
    "33": ("14", "11"),  # Kháng
    "34": ("14", "11"),  # Xinh Mun
    "35": ("12", "11", "10"),  # Hà Nhì
    "36": ("68",),  # Chu Ru
    "37": ("11", "12"),  # Lào
    "38": ("02",),  # La Chí
    "39": ("14",),  # La Ha
    "40": ("10",),  # Phù Lá
    "41": ("12",),  # La Hủ
    "42": ("12",),  # Lự
    "43": ("04", "02"),  # Lô Lô
    "44": ("44",),  # Chứt
    "45": ("12",),  # Mảng
    "46": ("02", "08"),  # Pà Thẻn
    "47": ("02",),  # Cờ Lao
    "48": ("11", "12"),  # Cống
    "49": ("10", "02"),  # Bố Y
    "50": ("12", "11"),  # Si La
    "51": ("02",),  # Pu Péo
    "52": ("62",),  # Brâu
    "53": ("40",),  # Ơ Đu
    "54": ("62",),  # Rơ Măm
}
# The majority group fills what the minorities leave, but never less than this share of a province.
MAJORITY_FLOOR = 0.05

# Provinces where one religion is far above its national share: (religion code, share there).
RELIGION_STRONGHOLDS: dict[str, tuple[tuple[str, float], ...]] = {
    "36": (("02", 0.28),),  # Nam Định: Công giáo
    "37": (("02", 0.22),),  # Ninh Bình
    "34": (("02", 0.10),),  # Thái Bình
    "75": (("02", 0.30), ("01", 0.08)),  # Đồng Nai
    "79": (("02", 0.10), ("01", 0.12)),  # TP. Hồ Chí Minh
    "77": (("02", 0.16), ("01", 0.08)),  # Bà Rịa - Vũng Tàu
    "62": (("02", 0.20), ("03", 0.06)),  # Kon Tum
    "68": (("02", 0.20), ("03", 0.08), ("01", 0.08)),  # Lâm Đồng
    "46": (("01", 0.20), ("02", 0.03)),  # Thừa Thiên Huế: Phật giáo
    "48": (("01", 0.10), ("02", 0.05)),  # Đà Nẵng
    "56": (("01", 0.12), ("02", 0.05)),  # Khánh Hòa
    "72": (("04", 0.22), ("01", 0.06)),  # Tây Ninh: Cao Đài
    "80": (("04", 0.05),),  # Long An
    "83": (("04", 0.06),),  # Bến Tre
    "89": (("05", 0.25), ("06", 0.006)),  # An Giang: Phật giáo Hòa Hảo, and the Chăm's Islam
    "87": (("05", 0.12),),  # Đồng Tháp
    "92": (("05", 0.10),),  # Cần Thơ
    "93": (("05", 0.06),),  # Hậu Giang
    "86": (("05", 0.05),),  # Vĩnh Long
}

# Ethnic groups whose religion differs from their province's: the group's own distribution.
ETHNIC_RELIGION: dict[str, tuple[tuple[str, float], ...]] = {
    "05": (("01", 0.9), ("00", 0.1)),  # Khmer: Theravada Buddhism
    "17": (("07", 0.45), ("06", 0.35), ("00", 0.2)),  # Chăm: Bà-la-môn, Islam
    "08": (("03", 0.3), ("02", 0.05), ("00", 0.65)),  # Mông: Protestant missions
    "10": (("03", 0.3), ("02", 0.15), ("00", 0.55)),  # Gia Rai
    "12": (("03", 0.4), ("02", 0.1), ("00", 0.5)),  # Ê Đê
    "13": (("02", 0.35), ("03", 0.1), ("00", 0.55)),  # Ba Na
    "16": (("02", 0.3), ("03", 0.25), ("00", 0.45)),  # Cơ Ho
    "20": (("03", 0.3), ("02", 0.1), ("00", 0.6)),  # Mnông
    "22": (("03", 0.3), ("02", 0.2), ("00", 0.5)),  # Xtiêng
    "04": (("01", 0.3), ("02", 0.05), ("00", 0.65)),  # Hoa
}
