"""Demo data for congdanso: a deterministic generator of synthetic commune resident lists.

See :mod:`congdanso.demo.synthetic` (pure Python, no Django).
"""

from congdanso.demo.synthetic import (
    COLUMNS,
    EA_YONG_SCHOOL,
    EA_YONG_TODAY,
    EA_YONG_VILLAGES,
    INVALID_MESSES,
    MESS_COLUMN,
    GeneratedRow,
    Mess,
    SyntheticResident,
    generate_residents,
    generate_rows,
    write_csv,
    write_xlsx,
)

__all__ = [
    "COLUMNS",
    "EA_YONG_SCHOOL",
    "EA_YONG_TODAY",
    "EA_YONG_VILLAGES",
    "INVALID_MESSES",
    "MESS_COLUMN",
    "GeneratedRow",
    "Mess",
    "SyntheticResident",
    "generate_residents",
    "generate_rows",
    "write_csv",
    "write_xlsx",
]
