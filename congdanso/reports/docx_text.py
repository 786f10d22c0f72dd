"""The fixed wording of the official report (.docx).

The report is a Vietnamese administrative document (Decree 30/2020/NĐ-CP): its text is
Vietnamese whatever the user's language, so it lives here as literal strings rather than in
the translation catalog. Placeholders are named (`%(name)s`); the figures put into them are
already formatted the Vietnamese way (congdanso.vn.numbers).
"""

# -- The header blocks (Decree 30, Appendix I, items 1–4) ----------------------------------
ISSUER_SUPERIOR = "UBND %(place)s"  # the body the steering committee belongs to
ISSUER = "BAN CHỈ ĐẠO ĐỀ ÁN 06"
NUMBER = "Số: …/BC-BCĐ"  # the number is given by the clerk when the report is issued
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "%(place)s, %(date)s"
#: Administrative prefixes left out of the place-and-date line ("Ea Yông, ngày …").
ADMIN_PREFIXES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)

# -- Title -----------------------------------------------------------------------------
KIND = "BÁO CÁO"
SUMMARY = "Kết quả thực hiện mô hình “%(campaign)s”"
AS_OF = "(Số liệu tính đến %(date)s)"
AS_OF_PLACE = "(Số liệu của %(place)s tính đến %(date)s)"
ADDRESSEE = "Kính gửi: Ban Chỉ đạo Đề án 06 %(superior)s."

# -- I. The campaign and its targets ---------------------------------------------------
PART_1 = "I. MÔ HÌNH VÀ MỤC TIÊU"
INTRO = (
    "Thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử "
    "phục vụ chuyển đổi số quốc gia (Đề án 06), %(place)s triển khai mô hình “%(campaign)s” "
    "từ %(start)s đến %(end)s với các mục tiêu sau:"
)
TARGET_EXEMPLARY = (
    "- Có từ %(target)s công dân số tiêu biểu trở lên, là người đã cài đặt và sử dụng thành "
    "thạo: %(criteria)s;"
)
TARGET_COHORT = (
    "- Đến %(end)s, từ %(share)s trở lên công dân trong độ tuổi từ %(low)s đến %(high)s "
    "(%(size)s người) là công dân số tiêu biểu, tức ít nhất %(needed)s người."
)
PLEDGES = "Các đơn vị ký kết giao ước thi đua, phối hợp thực hiện: %(units)s."
NO_PLEDGES = "Chưa có đơn vị nào ký kết giao ước thi đua."

# -- II. Results -----------------------------------------------------------------------
PART_2 = "II. KẾT QUẢ THỰC HIỆN"
RESULTS = "1. Kết quả so với mục tiêu"
RESULT_EXEMPLARY = "- Số công dân số tiêu biểu: %(count)s/%(target)s người, đạt %(share)s mục tiêu."
RESULT_COHORT = (
    "- Công dân từ %(low)s đến %(high)s tuổi là công dân số tiêu biểu: %(met)s/%(size)s người, "
    "tỷ lệ %(share)s (mục tiêu %(target)s, cần %(needed)s người)."
)
PROJECTION = (
    "- Dự báo: theo tốc độ %(days)s ngày gần nhất (khoảng %(per_week)s người/tuần), đến "
    "%(end)s ước đạt %(at_end)s công dân số tiêu biểu và %(cohort_share)s công dân trong độ "
    "tuổi."
)
PROJECTION_DONE = " Mục tiêu %(target)s người đã đạt vào %(date)s."
PROJECTION_REACHED = " Mục tiêu %(target)s người dự kiến đạt vào %(date)s."
PROJECTION_NOT_REACHED = " Với tốc độ này, mục tiêu %(target)s người chưa đạt vào cuối kỳ."
PROJECTION_CAMPAIGN = (
    "- Theo tốc độ bình quân từ đầu đợt (khoảng %(per_week)s người/tuần): ước đạt %(at_end)s "
    "người và %(cohort_share)s công dân trong độ tuổi."
)
CHART_CAPTION = "Biểu đồ 1. Số công dân số tiêu biểu cộng dồn theo tuần, mục tiêu và dự báo"
CHART_LEGEND = (
    "Đường liền có chấm tròn: số thực tế cộng dồn; đường chấm: dự báo đến cuối kỳ; "
    "đường gạch ngang: mục tiêu."
)
CHART_TARGET = "Mục tiêu: %(target)s"
CHART_PROJECTION = "Dự báo: %(value)s"

CRITERIA = "2. Kết quả theo từng tiêu chí"
CRITERIA_HEAD = (
    "STT",
    "Tiêu chí",
    "Từ %(low)s đến %(high)s tuổi",
    "Tỷ lệ trong độ tuổi",
    "Mọi độ tuổi",
)
CRITERIA_NOTE = "(*) Tiêu chí bắt buộc của công dân số tiêu biểu."

AREAS_VILLAGES = "3. Kết quả theo thôn, buôn"
AREAS_COMMUNES = "3. Kết quả theo xã, phường (xếp hạng theo tỷ lệ trong độ tuổi)"
AREA_HEAD_VILLAGE = "Thôn, buôn"
AREA_HEAD_COMMUNE = "Xã, phường"
AREAS_HEAD = (
    "STT",
    "%(area)s",
    "Dân số",
    "Từ %(low)s đến %(high)s tuổi",
    "Đạt trong độ tuổi",
    "Tỷ lệ",
    "CDSTB mọi độ tuổi",
    "Còn thiếu",
)
RANK = "Hạng"
TOTAL = "Tổng cộng"
NO_AREAS = "Chưa có thôn, buôn nào."

UNITS = "4. Kết quả của các đơn vị phối hợp"
UNITS_HEAD = (
    "STT",
    "Đơn vị",
    "Buổi hỗ trợ",
    "Lượt hỗ trợ",
    "Người được hỗ trợ",
    "Tiêu chí hoàn thành",
)
UNITS_NOTE = "Sau dấu “/”: mức đơn vị đã cam kết."
NO_PLEDGE = " (chưa ký cam kết)"
NO_UNITS = "Chưa có đơn vị nào ký cam kết hoặc tham gia hỗ trợ."

SESSIONS = "5. Các buổi hỗ trợ"
SESSIONS_TEXT = (
    "Đã tổ chức %(held)s buổi hỗ trợ tại trường học, thôn, buôn (còn %(planned)s buổi theo "
    "kế hoạch), với %(turns)s lượt hỗ trợ (trong đó %(anonymous)s lượt cho người chưa có "
    "trong danh sách), %(people)s người được hỗ trợ."
)

DONATIONS = "6. Ủng hộ, tặng quà"
DONATIONS_HEAD = ("STT", "Nơi nhận", "Nội dung", "Đơn vị ủng hộ", "Giá trị (đồng)", "Ngày")
DONATIONS_TEXT = "Tổng giá trị các công trình, phần quà: %(total)s."
NO_DONATIONS = "Chưa ghi nhận công trình, phần quà nào."
DONATION_ITEMS = {
    "internet_line": "Đường truyền Internet",
    "device": "Thiết bị",
    "other": "Khác",
}

DATA = "7. Chất lượng dữ liệu"
DATA_TEXT = (
    "Tổng số cư dân đang sinh sống: %(residents)s người; %(no_birth)s người chưa có ngày "
    "sinh (chưa tính vào độ tuổi); %(issues)s hồ sơ có vấn đề dữ liệu cần rà soát; "
    "%(duplicates)s trường hợp có thể trùng lặp."
)

# -- III. The parts the commune writes (pre-filled with a draft from the data) ----------
PART_3 = "III. KHÓ KHĂN, VƯỚNG MẮC, ĐỀ XUẤT VÀ NHIỆM VỤ THỜI GIAN TỚI"
DIFFICULTIES = "1. Khó khăn, vướng mắc"
PROPOSALS = "2. Đề xuất, kiến nghị"
NEXT_STEPS = "3. Nhiệm vụ thời gian tới"

DRAFT_AT_RISK = (
    "- Một số thôn, buôn còn cách xa mục tiêu %(share)s công dân trong độ tuổi: %(areas)s."
)
DRAFT_AREA = "%(name)s (đạt %(share)s, còn thiếu %(gap)s người)"
DRAFT_LOW_CRITERIA = "- Các tiêu chí có tỷ lệ thấp nhất trong độ tuổi: %(criteria)s."
DRAFT_CRITERION = "%(name)s (%(share)s)"
DRAFT_UNITS_BEHIND = (
    "- Một số đơn vị chưa theo kịp cam kết (đã qua %(elapsed)s thời gian thực hiện): %(units)s."
)
DRAFT_UNIT = "%(name)s (%(done)s/%(pledged)s %(measure)s)"
DRAFT_UNIT_MEASURES = {
    "people": "người được hỗ trợ",
    "achievements": "tiêu chí hoàn thành",
    "sessions": "buổi hỗ trợ",
}
DRAFT_NOT_ON_PACE = (
    "- Với tốc độ hiện nay, đến %(end)s ước đạt %(at_end)s/%(target)s công dân số tiêu biểu, "
    "chưa đạt mục tiêu."
)
DRAFT_DATA = (
    "- %(no_birth)s người chưa có ngày sinh, %(issues)s hồ sơ có vấn đề dữ liệu cần rà soát, "
    "bổ sung."
)
DRAFT_NO_DIFFICULTY = "- Chưa phát sinh khó khăn, vướng mắc lớn."

DRAFT_PROPOSE_CRITERIA = (
    "- Đề nghị các doanh nghiệp viễn thông, ngân hàng và các đơn vị chuyên môn tăng cường hỗ "
    "trợ hướng dẫn: %(criteria)s."
)
DRAFT_PROPOSE_UNITS = "- Đề nghị %(units)s tăng cường thực hiện nội dung đã cam kết."
DRAFT_PROPOSE_SUPERIOR = (
    "- Đề nghị %(superior)s tiếp tục quan tâm, hỗ trợ trang thiết bị, đường truyền Internet "
    "tại nhà văn hóa các thôn, buôn."
)
DRAFT_PROPOSE_DEFAULT = (
    "- Đề nghị cấp trên tiếp tục quan tâm, hỗ trợ trang thiết bị, đường truyền Internet tại "
    "nhà văn hóa các thôn, buôn."
)

DRAFT_NEXT_SESSIONS = (
    "- Tiếp tục tổ chức các buổi hỗ trợ tại trường học, thôn, buôn đến hết %(end)s."
)
DRAFT_NEXT_PRIORITY = "- Ưu tiên hỗ trợ tại: %(areas)s."
DRAFT_NEXT_CRITERIA = "- Tập trung hướng dẫn: %(criteria)s."
DRAFT_NEXT_PACE = (
    "- Phấn đấu đạt mục tiêu %(target)s công dân số tiêu biểu: cần thêm %(missing)s người, "
    "bình quân khoảng %(per_week)s người/tuần trong %(weeks)s tuần còn lại."
)
DRAFT_NEXT_KEEP = "- Duy trì kết quả đã đạt, tiếp tục hỗ trợ người dân sử dụng các dịch vụ số."
DRAFT_NEXT_DATA = "- Rà soát, bổ sung ngày sinh và các thông tin còn thiếu trong danh sách."

# -- Recipients and signature (Decree 30, Appendix I, items 7–9) ------------------------
RECIPIENTS = "Nơi nhận:"
RECIPIENT_ABOVE = "- Như trên;"
RECIPIENT_SUPERIOR = "- UBND %(superior)s;"
RECIPIENT_FILE = "- Lưu: VT."
SIGN_FOR = "TM. BAN CHỈ ĐẠO"
SIGN_TITLE = "TRƯỞNG BAN"
SIGN_NAME = "………………………"

# -- Document properties ---------------------------------------------------------------
AUTHOR = "Ban Chỉ đạo Đề án 06"
