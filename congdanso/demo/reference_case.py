"""The 2023 reference case as data: the campaign "1.000 công dân số tiêu biểu" of xã Ea Yông.

Its name, dates and criteria (in the order people usually go through them), its partner
units and their pledges, and what its year looked like: the launch on 12/04/2023 with about
300 turns, Thursday and Friday sessions, who does what at a session, how many people became
exemplary or got part of the way, and the reasons a few achievements were withdrawn. Sizes
are for 12,000 residents and scale with the resident count.

Data, apart from the code that builds the campaign (`demo.campaign`) and simulates its year
(`demo.simulation`): both read it, and so do the tests and the benchmarks that check a demo
against the case.
"""

import datetime as dt

from congdanso.outreach.models import TurnService
from congdanso.partners.models import UnitKind

CAMPAIGN_NAME = "1.000 công dân số tiêu biểu"
LAUNCH = dt.date(2023, 4, 12)
YEAR_END = dt.date(2023, 12, 31)
EXEMPLARY = (
    "vneid_level2",
    "public_service_account",
    "ehealth_book",
    "bank_account",
    "cashless_payment",
)
#: The order people usually go through: SIM data and VNeID first, the bank last.
JOURNEY = ("sim_standardized", *EXEMPLARY)
LAUNCH_CRITERIA = frozenset(JOURNEY[:4])
THURSDAY, FRIDAY = 3, 4

# Sizes for a commune of 12,000 residents (DEMO_RESIDENTS); scaled with the resident count.
EXEMPLARY_PEOPLE = 1_450
PARTIAL_PEOPLE = 3_000
LAUNCH_TURNS = 300
WITHDRAWALS = 8

# (key, name, kind, at the district rather than the commune)
UNITS = (
    ("police", "Công an xã Ea Yông", UnitKind.POLICE, False),
    ("youth", "Đoàn Thanh niên xã Ea Yông", UnitKind.YOUTH_UNION, False),
    ("women", "Hội Liên hiệp Phụ nữ xã Ea Yông", UnitKind.WOMENS_UNION, False),
    ("farmers", "Hội Nông dân xã Ea Yông", UnitKind.FARMERS_ASSOCIATION, False),
    ("viettel", "Viettel Krông Pắc", UnitKind.TELECOM, True),
    ("vnpt", "VNPT Krông Pắc", UnitKind.TELECOM, True),
    ("bidv", "BIDV Krông Pắc", UnitKind.BANK, True),
    ("party", "Văn phòng Huyện ủy Krông Pắc", UnitKind.PARTY_OFFICE, True),
    ("justice", "Phòng Tư pháp huyện Krông Pắc", UnitKind.GOVERNMENT_OFFICE, True),
    ("school", "Trường Tiểu học Chu Văn An", UnitKind.SCHOOL, False),
)
LAUNCH_UNITS = ("police", "youth", "women", "farmers", "viettel", "vnpt", "bidv")
# (unit, people to help, sessions to hold, achievements to record, villages, note)
PLEDGES = (
    ("police", 600, 60, 1_500, "all", "Kích hoạt định danh điện tử mức độ 2, làm sạch dữ liệu."),
    ("youth", 800, 70, 2_500, "all", "Tình nguyện viên hướng dẫn cài đặt ứng dụng tại thôn, buôn."),
    ("women", 400, 40, 1_000, "thôn", "Vận động hội viên mở tài khoản, thanh toán không tiền mặt."),
    ("farmers", 300, 30, 600, "buôn", "Hỗ trợ hội viên ở các buôn, chú trọng người cao tuổi."),
)
# Who does what at a session, by preference among the units present.
DOERS = {
    "sim_standardized": ("viettel", "vnpt", "police", "youth"),
    "vneid_level2": ("police", "youth"),
    "public_service_account": ("youth", "police", "women"),
    "ehealth_book": ("youth", "women", "farmers", "police"),
    "bank_account": ("bidv", "women", "farmers", "youth"),
    "cashless_payment": ("bidv", "youth", "women", "farmers"),
    TurnService.GUIDANCE: ("school", "youth", "women", "farmers"),
    TurnService.DATA_UPDATE: ("police",),
    TurnService.ACCOUNT_RECOVERY: ("youth", "police", "viettel", "vnpt"),
}
WITHDRAWAL_REASONS = {
    "vneid_level2": "Tài khoản định danh mức độ 2 chưa được cơ quan Công an phê duyệt.",
    "bank_account": "Tài khoản chưa hoàn tất xác thực (eKYC), ngân hàng chưa kích hoạt.",
}
WITHDRAWAL_REASON_OTHER = "Ghi nhầm người: trùng họ tên với một người khác trong thôn."
