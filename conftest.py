"""Suite-wide rules: in CI (CI=true) a skipped test is a failure — a database or a browser
that is missing must not pass unnoticed — and so is an expected failure (xfail): a defect
turned into an xfail is a defect CI would not count. An xfail CI accepts must say why with
`@pytest.mark.xfail_allowed(reason=…)` beside its `xfail` (a known bug of a library, with
its address). An xfail that passes fails everywhere (`xfail_strict`)."""

import os

import pytest
from hypothesis import Phase, settings

# `make mutate` (mutation/run.py sets the variable): a property test only has to fail on a
# mutant, not to find the smallest failing example; shrinking was most of a killed mutant's
# time. The examples that failed before are tried first (the reuse phase).
settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])
if os.environ.get("CONGDANSO_MUTATION_RUN"):
    settings.load_profile("mutation")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true"}


def _unexpected_xfails(reports: list[pytest.TestReport]) -> list[str]:
    return [
        report.nodeid
        for report in reports
        if not any(marker == "xfail_allowed" for marker in getattr(report, "keywords", {}))
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not _in_ci():
        return
    failures = []
    skipped = len(reporter.stats.get("skipped", []))
    if skipped:
        failures.append(f"{skipped} test(s) skipped; in CI every test must run.")
    xfailed = _unexpected_xfails(reporter.stats.get("xfailed", []))
    if xfailed:
        failures.append(
            f"{len(xfailed)} test(s) xfailed without xfail_allowed; in CI an expected "
            "failure is a failure: " + ", ".join(xfailed)
        )
    xpassed = [report.nodeid for report in reporter.stats.get("xpassed", [])]
    if xpassed:
        failures.append(f"{len(xpassed)} test(s) marked xfail passed: " + ", ".join(xpassed))
    if failures and exitstatus == 0:
        for line in failures:
            reporter.write_line("CI: " + line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
