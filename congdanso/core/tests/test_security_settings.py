"""Deployment settings, response headers and the Content-Security-Policy, admin included."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from congdanso import settings as project_settings
from congdanso.campaigns.models import Campaign

CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def _policy(header: str) -> dict[str, list[str]]:
    """The directives of a Content-Security-Policy header (their order does not matter)."""
    return {
        name: sources for name, *sources in (directive.split() for directive in header.split(";"))
    }


def _run(args: list[str], tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CONGDANSO_DATA_DIR": str(tmp_path),
        "CONGDANSO_SECRET_KEY": secrets.token_urlsafe(60),
        "CONGDANSO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "congdanso.settings",
        **environment,
    }
    return subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_https(tmp_path: Path) -> None:
    result = _run(
        ["-m", "congdanso", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        CONGDANSO_HTTPS="1",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


_DUMP = """
import json, django
django.setup()
from django.conf import settings as s
names = [
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "AXES_CLIENT_IP_CALLABLE",
    "UPLOAD_MAX_BYTES", "SESSION_COOKIE_AGE",
]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


def _settings_with(tmp_path: Path, **environment: str) -> dict[str, object]:
    result = _run(["-c", _DUMP], tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_https_turns_on_secure_cookies_hsts_and_the_proxy_headers(tmp_path: Path) -> None:
    values = _settings_with(
        tmp_path, CONGDANSO_HTTPS="1", CONGDANSO_UPLOAD_MAX_MB="20", CONGDANSO_SESSION_HOURS="2"
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "AXES_CLIENT_IP_CALLABLE": "congdanso.web.accounts.lockout.client_ip",
        "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
        "SESSION_COOKIE_AGE": 2 * 3600,
    }


def test_without_a_proxy_its_headers_are_not_trusted(tmp_path: Path) -> None:
    values = _settings_with(tmp_path, CONGDANSO_HTTPS="1", CONGDANSO_BEHIND_PROXY="0")

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["AXES_CLIENT_IP_CALLABLE"] is None


def test_the_password_and_log_in_settings() -> None:
    settings = project_settings  # as written, whatever the tests override
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
    assert settings.CSRF_COOKIE_HTTPONLY is True


# --- headers and the Content-Security-Policy ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dang-nhap/", "/", "/admin/login/", "/khong-co/"])
def test_every_response_carries_the_security_headers(path: str) -> None:
    response = Client().get(path)

    assert _policy(response["Content-Security-Policy"]) == CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


class _InlineCode(HTMLParser):
    """What a strict CSP blocks: inline scripts, style elements and attributes, event-handler
    attributes, javascript: URLs, and anything loaded from another origin."""

    DATA_SCRIPTS = {"application/json", "application/ld+json", "text/template"}

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts = 0
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
            self._inline_script = "src" not in attributes and (
                attributes.get("type") not in self.DATA_SCRIPTS
            )
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"src", "href", "action"} and value:
                if value.strip().lower().startswith("javascript:"):
                    self.problems.append(f"<{tag} {name}={value}>")
                if value.startswith(("http://", "https://", "//")):
                    self.problems.append(f"<{tag} {name}={value}> (another origin)")

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = False


def _problems(html: str) -> tuple[list[str], int]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.problems, parser.scripts


@pytest.mark.django_db
def test_the_site_pages_need_no_inline_code() -> None:
    problems, _ = _problems(Client().get("/dang-nhap/").content.decode())

    assert problems == []


@pytest.mark.django_db
def test_the_lock_out_page_needs_no_inline_code(django_user_model) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for n in range(5):
        response = client.post("/dang-nhap/", {"username": "ai-do", "password": f"sai-{n}"})

    assert response.status_code == 429
    assert _problems(response.content.decode())[0] == []


ADMIN_PAGES = [
    ("admin:index", ()),
    ("admin:password_change", ()),
    ("admin:accounts_user_changelist", ()),
    ("admin:accounts_user_add", ()),
    ("admin:accounts_user_change", ("user",)),
    ("admin:auth_group_add", ()),
    ("admin:people_resident_changelist", ()),
    ("admin:people_resident_add", ()),
    ("admin:places_place_changelist", ()),
    ("admin:campaigns_campaign_changelist", ()),
    ("admin:campaigns_campaign_add", ()),
    ("admin:campaigns_campaign_change", ("campaign",)),
    ("admin:campaigns_achievement_changelist", ()),
    ("admin:outreach_supportsession_add", ()),
    ("admin:partners_donation_add", ()),
    ("admin:axes_accessattempt_changelist", ()),
    ("admin:axes_accesslog_changelist", ()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_the_admin_works_under_the_policy(
    admin_client, admin_user, campaign: Campaign, name: str, args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    """Django 5.2's admin loads every script from a file and styles from style sheets, so
    it needs no exception to the policy."""
    objects = {"user": admin_user.pk, "campaign": campaign.pk}
    response = admin_client.get(reverse(name, args=[objects[arg] for arg in args]))

    assert response.status_code == 200
    assert _policy(response["Content-Security-Policy"]) == CSP
    problems, scripts = _problems(response.content.decode())
    assert problems == []
    assert scripts > 0  # the admin's own scripts, from files


@pytest.mark.django_db
def test_the_anonymous_admin_log_in_page_needs_no_inline_code() -> None:
    response = Client().get(reverse("admin:login"))

    assert _problems(response.content.decode())[0] == []
