"""The Vietnamese words of the Excel workbook: sheet names, column headers, summary labels.

The workbook is a Vietnamese report sent upward (like the .docx), not a page of the site: its
text is document content and stays Vietnamese whatever the user's language, so it lives here
rather than in the message catalog. Kinds and statuses use their model labels, rendered in
Vietnamese.
"""

from typing import Final

# Sheet names (Excel: at most 31 characters, none of []:*?/\).
SHEET_SUMMARY: Final = "Tổng hợp"
SHEET_CRITERIA: Final = "Tiêu chí"
SHEET_VILLAGES: Final = "Thôn"
SHEET_COMMUNES: Final = "Xã"
SHEET_UNITS: Final = "Đơn vị"
SHEET_SESSIONS: Final = "Buổi hỗ trợ"
SHEET_DONATIONS: Final = "Ủng hộ"
SHEET_WEEKLY: Final = "Theo tuần"
SHEET_RESIDENTS: Final = "Người dân"

YES: Final = "Có"
NO: Final = "Không"
NOT_REACHED: Final = "Chưa đạt trong thời gian chiến dịch"

# The summary: (key, label). The keys name the figures for the code and the tests.
SUMMARY_HEADERS: Final = ("Chỉ số", "Giá trị")
SUMMARY_LABELS: Final = {
    "campaign": "Chiến dịch",
    "place": "Địa bàn",
    "place_code": "Mã địa bàn",
    "date": "Số liệu tính đến ngày",
    "start_date": "Ngày bắt đầu chiến dịch",
    "end_date": "Ngày kết thúc chiến dịch",
    "exemplary_target": "Chỉ tiêu công dân số tiêu biểu",
    "exemplary_count": "Số công dân số tiêu biểu",
    "exemplary_share_of_target": "Tỷ lệ so với chỉ tiêu",
    "cohort_ages": "Nhóm tuổi (tính đến ngày kết thúc)",
    "cohort_size": "Số người trong nhóm tuổi",
    "cohort_met": "Số người trong nhóm tuổi là công dân số tiêu biểu",
    "cohort_share": "Tỷ lệ trong nhóm tuổi",
    "cohort_target_share": "Chỉ tiêu tỷ lệ trong nhóm tuổi",
    "cohort_needed": "Số người cần đạt để đạt chỉ tiêu tỷ lệ",
    "recent_basis_days": "Dự báo theo nhịp gần đây: số ngày làm căn cứ",
    "recent_exemplary_per_week": "Dự báo theo nhịp gần đây: công dân số tiêu biểu mỗi tuần",
    "recent_exemplary_at_end": "Dự báo theo nhịp gần đây: công dân số tiêu biểu cuối chiến dịch",
    "recent_cohort_share_at_end": "Dự báo theo nhịp gần đây: tỷ lệ nhóm tuổi cuối chiến dịch",
    "recent_exemplary_target_date": "Dự báo theo nhịp gần đây: ngày đạt chỉ tiêu công dân số",
    "recent_cohort_target_date": "Dự báo theo nhịp gần đây: ngày đạt chỉ tiêu tỷ lệ",
    "campaign_exemplary_at_end": "Dự báo theo nhịp cả chiến dịch: công dân số tiêu biểu cuối kỳ",
    "campaign_cohort_share_at_end": "Dự báo theo nhịp cả chiến dịch: tỷ lệ nhóm tuổi cuối kỳ",
    "sessions_held": "Số buổi hỗ trợ đã tổ chức",
    "sessions_planned": "Số buổi hỗ trợ đã lên lịch",
    "turns": "Tổng số lượt hỗ trợ",
    "registry_turns": "Lượt hỗ trợ người có trong danh sách",
    "anonymous_turns": "Lượt hỗ trợ người chưa có trong danh sách",
    "people_helped": "Số người được hỗ trợ",
    "donations_count": "Số công trình, hiện vật được ủng hộ",
    "donations_value": "Tổng giá trị ủng hộ",
    "residents": "Số dân được tính",
    "without_birth_date": "Số dân chưa có ngày sinh",
    "with_open_issues": "Số dân có dữ liệu cần kiểm tra",
    "possible_duplicates": "Số dân có thể bị trùng",
}

CRITERIA_HEADERS: Final = (
    "Mã",
    "Tiêu chí",
    "Bắt buộc để là công dân số tiêu biểu",
    "Số người trong nhóm tuổi đã đạt",
    "Tỷ lệ trong nhóm tuổi",
    "Số người (mọi lứa tuổi) đã đạt",
)

AREA_HEADERS: Final = (
    "Mã",
    "Tên",
    "Loại",
    "Số dân",
    "Số người trong nhóm tuổi",
    "Số người trong nhóm tuổi là công dân số tiêu biểu",
    "Tỷ lệ trong nhóm tuổi",
    "Công dân số tiêu biểu (mọi lứa tuổi)",
    "Còn thiếu để đạt chỉ tiêu tỷ lệ",
)
RANK_HEADER: Final = "Xếp hạng"

UNIT_HEADERS: Final = (
    "Đơn vị",
    "Loại",
    "Ký kết thi đua",
    "Số buổi tham gia",
    "Chỉ tiêu số buổi",
    "Số lượt hỗ trợ",
    "Số người được hỗ trợ",
    "Chỉ tiêu số người",
    "Số tiêu chí đã giúp đạt",
    "Chỉ tiêu số tiêu chí",
)

SESSION_HEADERS: Final = (
    "Ngày",
    "Địa điểm",
    "Xã",
    "Tiêu đề",
    "Trạng thái",
    "Đơn vị tham gia",
    "Lượt hỗ trợ người có trong danh sách",
    "Lượt hỗ trợ người chưa có trong danh sách",
    "Tổng số lượt",
)

DONATION_HEADERS: Final = (
    "Ngày trao",
    "Thôn nhận",
    "Nơi lắp đặt",
    "Hạng mục",
    "Mô tả",
    "Đơn vị, thôn ủng hộ",
    "Giá trị (đồng)",
)

WEEKLY_HEADERS: Final = (
    "Tuần từ ngày",
    "Đến ngày",
    "Công dân số tiêu biểu (lũy kế)",
    "Số người trong nhóm tuổi là công dân số tiêu biểu (lũy kế)",
    "Tỷ lệ trong nhóm tuổi",
)

RESIDENT_HEADERS_BEFORE: Final = (
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Xã",
    "Thôn",
    "Số CCCD",
    "Số điện thoại",
)
#: The birth-year header replaces "Ngày sinh" for those who may not see birth dates in full.
BIRTH_YEAR_HEADER: Final = "Năm sinh"
RESIDENT_HEADERS_AFTER: Final = ("Công dân số tiêu biểu", "Trong nhóm tuổi")

# The Excel file of a list of people a page shows (`reports.list_xlsx`): its lines above the
# header, naming the list and what it was filtered on.
LIST_TITLE: Final = "Danh sách người dân – {place}"
LIST_CAMPAIGN: Final = "Chiến dịch: {campaign}"
LIST_AS_OF: Final = "Số liệu tính đến ngày {date}"
LIST_REGISTERED_BY: Final = "Chỉ tính người dân có trong danh sách đến ngày {date}"
LIST_FILTERS: Final = "Lọc: {filters}"
LIST_NO_FILTER: Final = "Lọc: tất cả người dân được tính ở địa bàn"
LIST_COUNT: Final = "Số người: {count}"
LIST_FILTER_WORDS: Final = {
    "exemplary": "công dân số tiêu biểu",
    "not_exemplary": "chưa là công dân số tiêu biểu",
    "cohort": "trong nhóm tuổi",
    "not_cohort": "ngoài nhóm tuổi",
    "done": "đã đạt: {name}",
    "missing": "còn thiếu: {name}",
    "issues": "có vấn đề dữ liệu chưa xử lý",
    "duplicates": "có thể trùng",
    "no_birth_date": "không có ngày sinh",
    "no_village": "không thuộc thôn nào",
    "helped": "được hỗ trợ tại các buổi của chiến dịch ở địa bàn",
    "helped_by": "do {unit} hỗ trợ",
    "unit": "có kết quả ghi nhận qua {unit}",
}
