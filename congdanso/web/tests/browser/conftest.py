"""Browser tests: the real pages in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is ever downloaded), served by pytest-django's `live_server`.

One browser for the whole package; each test gets its own browser context (cookies apart) on
a phone — 360×740, touch, Vietnamese. Without Chromium every test here is skipped with the
reason, and the root conftest turns a skip into a failure in CI.

`live_server` makes every test here transactional: the database is emptied after each one,
the reference data of the migrations and of `django_db_setup` (official places, built-in
criteria) with it. The `scene` fixture puts them back first, and the package puts them back
when it ends, for the tests that run after it.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from congdanso.web.tests.browser.scene import Scene, reference_data_ensure, scene_build

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    f"Chromium not found at {CHROMIUM}: install the Debian packages chromium and "
    "chromium-driver to run the browser tests"
)
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}


@pytest.fixture(scope="package")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse the ORM calls of the tests ("async context"); they are plain sync code.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
        with django_db_blocker.unblock():  # after the last flush of a test here
            reference_data_ensure()


def _context(browser: Browser, options: dict[str, Any]) -> BrowserContext:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a fresh phone browser (nobody signed in)."""
    context = _context(browser, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = _context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def scene(transactional_db: None, live_server: Any, settings: Any, tmp_path: Path) -> Scene:
    """The commune, its running campaign, its people and users (see `scene_build`). Imports
    run in the request that confirms them (as in the other page tests), their uploads in a
    directory of the test's own."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    reference_data_ensure()
    return scene_build()
