"""Reference tables shipped in ``congdanso/vn/data/``, loaded once on first use.

The files are copies of the project's reference data (see ``data/`` beside this module); the
package never reads anything outside itself. Each loader is cached, so the first call reads
and parses the file and later calls return the same (read-only by convention) object.
"""

import csv
import io
import json
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = __package__ or "congdanso.vn"


def _read_text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("data").joinpath(name).read_text(encoding="utf-8")


def _read_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read_text(name))))


@cache
def province_names() -> dict[str, str]:
    """3-digit CCCD province-of-birth-registration code → province name (63 codes)."""
    return {row["code"]: row["province_name"] for row in _read_csv("cccd_province_codes.csv")}


_CARRIER_BRANDS = {
    "viettel": "Viettel",
    "vinaphone": "VinaPhone",
    "mobifone": "MobiFone",
    "vietnamobile": "Vietnamobile",
    "gmobile": "Gmobile",
    "itelecom": "Itelecom",
    "reddi": "Reddi",
}


def _brand(label: str) -> str:
    """'Vinaphone (VNPT)' → 'VinaPhone': the first word of the CSV label, as the brand."""
    first = label.split("(")[0].split()[0].lower()
    return _CARRIER_BRANDS.get(first, label.split("(")[0].strip())


@cache
def mobile_prefixes() -> dict[str, str]:
    """3-digit mobile prefix ("032") → short carrier brand ("Viettel")."""
    return {row["prefix"]: _brand(row["carrier"]) for row in _read_csv("vn_mobile_prefixes.csv")}


@cache
def retired_prefixes() -> dict[str, str]:
    """Retired 4-digit prefix of an 11-digit number ("0162") → its 3-digit successor ("032")."""
    return {
        row["old_11_digit_prefix"]: row["prefix"]
        for row in _read_csv("vn_mobile_prefixes.csv")
        if row["old_11_digit_prefix"]
    }


def _read_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read_text(name))
    return data


@cache
def tcvn3_table() -> dict[str, str]:
    """TCVN3 (VN3) byte as a Windows-1252 character → Unicode letter."""
    table: dict[str, str] = _read_json("tcvn3_to_unicode.json")["by_cp1252_char"]
    return table


@cache
def vni_table() -> dict[str, str]:
    """VNI-Windows sequence (1 or 2 Windows-1252 characters) → Unicode letter."""
    table: dict[str, str] = _read_json("vni_to_unicode.json")["by_cp1252_seq"]
    return table
