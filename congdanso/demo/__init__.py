"""Demo data for congdanso: a deterministic generator of synthetic commune resident lists.

See :mod:`congdanso.demo.synthetic` (pure Python, no Django).
"""

from congdanso.demo.synthetic.files import write_csv, write_xlsx
from congdanso.demo.synthetic.residents import (
    EA_YONG_SCHOOL,
    EA_YONG_TODAY,
    EA_YONG_VILLAGES,
    SyntheticResident,
    generate_residents,
)
from congdanso.demo.synthetic.rows import (
    COLUMNS,
    INVALID_MESSES,
    MESS_COLUMN,
    GeneratedRow,
    Mess,
    generate_rows,
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
