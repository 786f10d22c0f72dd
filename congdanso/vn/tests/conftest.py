"""Each test of `congdanso.vn` runs the parsers themselves, not an earlier test's results.

The parsers keep bounded per-value caches (`lru_cache(maxsize=…)`: `_parse_text`,
`clean_name`, `_number_start`, …), for imports that repeat the same cells. A test that
parses "05/1904" after another test did would get the cached answer and never run the code
it claims to check — and mutmut, which records the functions each test calls to pick the
tests of a mutant, would not pick it. So those caches are emptied before every test. The
unbounded ones (`functools.cache`: the tables read from `vn/data/` and built from them)
hold no per-value answer and are kept.
"""

import importlib
import pkgutil
from collections.abc import Callable, Iterator

import pytest

import congdanso.vn


def _bounded_caches() -> Iterator[Callable[[], None]]:
    for module_info in pkgutil.iter_modules(congdanso.vn.__path__):
        module = importlib.import_module(f"congdanso.vn.{module_info.name}")
        for function in vars(module).values():
            parameters = getattr(function, "cache_parameters", None)
            if (
                parameters is not None
                and getattr(function, "__module__", None) == module.__name__
                and parameters()["maxsize"] is not None
            ):
                yield function.cache_clear


_CLEARS = list(_bounded_caches())


@pytest.fixture(autouse=True)
def _fresh_parser_caches() -> None:
    for clear in _CLEARS:
        clear()
