"""Every page of issue 5 in a phone's browser: no serious or critical accessibility violation
(axe-core) and no sideways scrolling at 360 px.

One test per check goes through all the pages and reports every page that fails, rather
than one test per page: each test here costs a fresh database (see conftest)."""

from typing import Any

import pytest
from playwright.sync_api import Page

from congdanso.web.tests.browser.pages import (
    SITE_PAGES,
    accessibility_problems,
    page_width,
    sign_in,
)
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser


def _visit_all(page: Page, live_server: Any, scene: Scene, check: Any) -> dict[str, Any]:
    """Opens each page (signed in or not, as listed) and notes what `check` finds wrong."""
    failures: dict[str, Any] = {}
    signed_in = False
    for site_page in sorted(SITE_PAGES, key=lambda p: p.signed_in):
        if site_page.signed_in and not signed_in:
            sign_in(page, live_server, scene.secretary)
            signed_in = True
        response = page.goto(live_server.url + site_page.url(scene))
        assert response is not None and response.status == 200, (site_page.label, response)
        found = check(page)
        if found:
            failures[site_page.label] = found
    return failures


def _report(failures: dict[str, Any]) -> str:
    return "\n".join(f"{label}: {found}" for label, found in failures.items())


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    failures = _visit_all(phone, live_server, scene, accessibility_problems)

    assert failures == {}, _report(failures)


def test_no_page_scrolls_sideways_on_a_360_px_phone(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    def too_wide(page: Page) -> int | None:
        width = page_width(page)
        return width if width > 360 else None

    failures = _visit_all(phone, live_server, scene, too_wide)

    assert failures == {}, _report(failures)
