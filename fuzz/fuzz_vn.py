"""Coverage-guided fuzzing (atheris / libFuzzer) of every parser in `congdanso.vn`.

Each input is decoded as text and handed to every parser: a parser may return or raise its
documented error (`VnValueError`); anything else — another exception, a hang — is a crash
that libFuzzer reports with the input that caused it.

    .venv/bin/python fuzz/fuzz_vn.py -runs=200000          # bounded
    .venv/bin/python fuzz/fuzz_vn.py -max_total_time=600    # ten minutes

The test suite runs it briefly (congdanso/vn/tests/test_fuzz.py); the property tests in
congdanso/vn/tests cover the same parsers with Hypothesis.
"""

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from congdanso.vn import (
        VnValueError,
        clean_name,
        clean_text,
        decode_legacy,
        detect_legacy,
        detect_legacy_encoding,
        fix_legacy,
        fold,
        normalize_phone,
        parse_birth_date,
        parse_cccd,
        parse_cccd_qr,
        parse_gender,
        place_key,
        split_place_name,
        title_case,
    )

TOTAL = (fold, clean_name, clean_text, title_case, place_key, split_place_name, detect_legacy)
PARSERS = (parse_cccd, normalize_phone, parse_birth_date, parse_gender, parse_cccd_qr)


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    for function in TOTAL:
        function(text)  # defined for every text: must not raise
    for encoding in ("tcvn3", "vni"):
        decode_legacy(text, encoding)
        fix_legacy(text, hint=encoding)
    detect_legacy_encoding([text, text[::-1]])
    for parser in PARSERS:
        with contextlib.suppress(VnValueError):  # the documented refusal
            parser(text)
    # a card's QR code: its seven fields from the input, so that the fuzzer reaches the checks
    # behind the shape test (the input alone rarely starts with twelve digits and six bars)
    with contextlib.suppress(VnValueError):
        parse_cccd_qr("066190012345|" + "|".join(text.split("|", 6)[:6]).ljust(6, "|"))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
