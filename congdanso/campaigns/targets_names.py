"""The names the two targets every campaign has from its creation are given (Vietnamese, as
a commune writes them; a name is data, edited on the set-up page like any target's)."""

EXEMPLARY_NAME = "Công dân số tiêu biểu"
#: .format(low=16, high=50)
COHORT_NAME = "Người từ {low} đến {high} tuổi sử dụng thành thạo dịch vụ số"
