"""The built-in criterion catalog (seeded by a migration, ensured by the services)."""

# (code, Vietnamese name, English name, Vietnamese help text)
BUILTIN = [
    (
        "vneid_level2",
        "Định danh điện tử mức độ 2 (VNeID)",
        "VNeID electronic identity, level 2",
        "Đã kích hoạt tài khoản định danh điện tử mức độ 2 trên ứng dụng VNeID.",
    ),
    (
        "public_service_account",
        "Tài khoản Cổng dịch vụ công quốc gia",
        "National public-service portal account",
        "Đã có tài khoản và đăng nhập được Cổng dịch vụ công quốc gia.",
    ),
    (
        "ehealth_book",
        "Sổ sức khỏe điện tử",
        "E-health book",
        "Đã cài đặt và kích hoạt Sổ sức khỏe điện tử (trên VNeID).",
    ),
    (
        "bank_account",
        "Tài khoản ngân hàng",
        "Bank account",
        "Đã mở tài khoản thanh toán tại một ngân hàng.",
    ),
    (
        "cashless_payment",
        "Thanh toán không dùng tiền mặt",
        "Cashless / e-wallet payment",
        "Đã dùng ứng dụng ngân hàng hoặc ví điện tử để thanh toán.",
    ),
    (
        "sim_standardized",
        "Chuẩn hóa thông tin thuê bao di động",
        "Mobile-subscriber data standardised",
        "Thông tin thuê bao di động đã khớp với Cơ sở dữ liệu quốc gia về dân cư.",
    ),
    # The 2025 "Bình dân học vụ số" movement: the provinces' plans count adults certified on
    # the VNeID-based learning platform. The draft "công dân số" points and ranks are not law
    # yet, so no points are computed; a campaign adds criteria for them when needed.
    (
        "digital_skills_certified",
        "Đạt phổ cập kỹ năng số (Bình dân học vụ số)",
        "Basic digital skills certified (Digital literacy for all)",
        "Đã hoàn thành và được chứng nhận trên nền tảng học tập Bình dân học vụ số.",
    ),
]

#: Short names for one-tap buttons on a phone ("VNeID mức 2 — xong"): code → (Vietnamese,
#: English). A criterion without one is shown by its name.
SHORT_NAMES = {
    "vneid_level2": ("VNeID mức 2", "VNeID level 2"),
    "public_service_account": ("Dịch vụ công", "Public services"),
    "ehealth_book": ("Sổ sức khỏe", "E-health book"),
    "bank_account": ("Tài khoản ngân hàng", "Bank account"),
    "cashless_payment": ("Không tiền mặt", "Cashless payment"),
    "sim_standardized": ("Chuẩn hóa thuê bao", "SIM data standardised"),
    "digital_skills_certified": ("Kỹ năng số", "Digital skills"),
}
