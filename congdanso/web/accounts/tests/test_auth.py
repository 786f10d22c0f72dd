"""Log-in, log-out, lock-out, sessions and the log-in-everywhere rule."""

import datetime as dt
import time
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from congdanso.web.accounts.lockout import client_ip
from congdanso.web.accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-Ea-Yong-2023"  # noqa: S105  # the test users' password
LOGIN = "/dang-nhap/"

# congdanso/conftest.py puts a fast hasher first for every test (Argon2 costs ~0.2 s a hash
# by design); the tests about hashing drop it with PASSWORD_HASHERS[1:].


@pytest.fixture
def officer():  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user("thu-ky", password=PASSWORD, is_staff=True)


class _Page(HTMLParser):
    """Labels, error texts and form inputs of a page, from its parsed markup."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.labels: list[str] = []
        self.errors: list[str] = []
        self.inputs: dict[str, dict[str, str | None]] = {}
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self._in = "label"
            self.labels.append("")
        elif tag == "ul" and "errorlist" in (attributes.get("class") or ""):
            self._in = "errors"
            self.errors.append("")
        elif tag == "input" and attributes.get("name"):
            self.inputs[str(attributes["name"])] = attributes

    def handle_endtag(self, tag: str) -> None:
        if (tag, self._in) in {("label", "label"), ("ul", "errors")}:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "label":
            self.labels[-1] += data.strip()
        elif self._in == "errors":
            self.errors[-1] += data.strip()


def _log_in(client: Client, username: str, password: str, url: str = LOGIN, **extra):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password}, **extra)


# --- passwords ----------------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # the real list

    user = get_user_model().objects.create_user("moi", password=PASSWORD)

    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_an_old_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]
    user = get_user_model().objects.create_user("cu", is_staff=True)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    response = _log_in(Client(), "cu", PASSWORD)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("password123", "Mật khẩu này quá phổ biến."),
        ("90817263549012", "Mật khẩu này hoàn toàn là số."),
        ("nguyenvanbinh", "Mật khẩu quá giống với Tên đăng nhập."),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password: str, expected: str) -> None:
    user = get_user_model()(username="nguyenvanbinh")

    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user)

        assert expected in refused.value.messages


def test_a_password_under_10_characters_is_refused_in_vietnamese() -> None:
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            validate_password("Ab3-xyz-q", get_user_model()(username="thu-ky"))

        assert refused.value.messages == ["Mật khẩu quá ngắn: phải có ít nhất 10 ký tự."]
    assert refused.value.error_list[0].code == "password_too_short"


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password(PASSWORD, get_user_model()(username="thu-ky"))


# --- who sees what ------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_log_in_page() -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


@pytest.mark.parametrize(
    ("path", "login"),
    [
        # The admin's own pages send to its log-in page (under the same lock-out), which tells
        # a signed-in user who is not staff why the admin is closed to them…
        ("/admin/", "/admin/login/"),
        # …its models' pages to the site's.
        ("/admin/people/resident/", LOGIN),
        ("/admin/accounts/user/1/change/", LOGIN),
    ],
)
def test_anonymous_users_get_a_log_in_page_for_the_admin(path: str, login: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{login}?next={path}"
    assert Client().get(response["Location"]).status_code == 200


def test_the_log_in_page_needs_no_log_in_and_speaks_vietnamese() -> None:
    response = Client().get(LOGIN)

    assert response.status_code == 200
    page = _Page(response.content.decode())
    assert page.labels == ["Tên đăng nhập:", "Mật khẩu:"]
    assert page.inputs["username"]["autocomplete"] == "username"
    assert page.inputs["password"]["type"] == "password"
    assert "csrfmiddlewaretoken" in page.inputs
    assert '<html lang="vi">' in response.content.decode()


def test_static_files_need_no_log_in(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = Client().get("/static/congdanso/site.css")

    assert response.status_code == 200
    assert b"mobile first" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


# --- log-in and log-out -------------------------------------------------------------------


def test_a_wrong_password_shows_the_form_again_with_a_vietnamese_error(officer) -> None:  # type: ignore[no-untyped-def]
    response = _log_in(Client(), "thu-ky", "sai-mat-khau")

    assert response.status_code == 200
    [error] = _Page(response.content.decode()).errors
    assert error.startswith("Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác.")


def test_logging_in_leads_home_then_to_the_users_campaigns(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    response = _log_in(client, "thu-ky", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    # No campaign covers their places yet: the list says so (with one, its dashboard).
    assert client.get("/")["Location"] == reverse("campaigns:list")


def test_logging_in_returns_to_the_page_asked_for(officer) -> None:  # type: ignore[no-untyped-def]
    response = _log_in(Client(), "thu-ky", PASSWORD, url=f"{LOGIN}?next=/admin/people/")

    assert response["Location"] == "/admin/people/"


def test_logging_in_never_sends_to_another_site(officer) -> None:  # type: ignore[no-untyped-def]
    response = _log_in(Client(), "thu-ky", PASSWORD, url=f"{LOGIN}?next=https://evil.example/")

    assert response["Location"] == "/"


def test_logging_out_takes_a_post_and_ends_the_session(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officer)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == LOGIN
    assert Session.objects.count() == 0
    assert client.get("/")["Location"].startswith(LOGIN)


def test_the_log_in_form_needs_its_csrf_token(officer) -> None:  # type: ignore[no-untyped-def]
    response = _log_in(Client(enforce_csrf_checks=True), "thu-ky", PASSWORD)

    assert response.status_code == 403
    assert Session.objects.count() == 0


# --- lock-out -----------------------------------------------------------------------------


def test_five_failures_lock_the_user_name_on_that_address_for_30_minutes(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [_log_in(client, "thu-ky", f"sai-{n}").status_code for n in range(5)]

    locked = _log_in(client, "thu-ky", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in locked.templates]
    assert "Sau 5 lần đăng nhập sai" in locked.content.decode()
    assert "trong 30 phút" in locked.content.decode()
    assert Session.objects.count() == 0
    # The same user from another address, another user from this one, are not locked.
    assert _log_in(Client(REMOTE_ADDR="10.0.0.8"), "thu-ky", PASSWORD).status_code == 302
    get_user_model().objects.create_user("chu-tich", password=PASSWORD, is_staff=True)
    assert _log_in(client, "chu-tich", PASSWORD).status_code == 302


def test_the_lock_is_lifted_after_30_minutes(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(5):
        _log_in(client, "thu-ky", f"sai-{n}")

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))

    assert _log_in(client, "thu-ky", PASSWORD).status_code == 302


def test_a_success_clears_the_failures(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(4):
        _log_in(client, "thu-ky", f"sai-{n}")
    assert _log_in(client, "thu-ky", PASSWORD).status_code == 302

    client.logout()
    statuses = [_log_in(client, "thu-ky", f"sai-{n}").status_code for n in range(4)]

    assert statuses == [200] * 4


def test_the_admin_log_in_is_locked_out_too(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.7")
    url = reverse("admin:login")

    statuses = [_log_in(client, "thu-ky", f"sai-{n}", url=url).status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    # …and the lock holds on the site's own log-in page.
    assert _log_in(client, "thu-ky", PASSWORD).status_code == 429


def test_behind_the_proxy_the_client_is_the_last_forwarded_address(settings, officer) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_CLIENT_IP_CALLABLE = "congdanso.web.accounts.lockout.client_ip"
    # A client may start X-Forwarded-For with anything; the proxy appends the real address.
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    for n in range(5):
        _log_in(attacker, "thu-ky", f"sai-{n}")

    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert _log_in(colleague, "thu-ky", PASSWORD).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("1.1.1.1, 203.0.113.5", "203.0.113.5"),
        ("1.1.1.1,2001:db8::1", "2001:db8::1"),
        ("", "127.0.0.1"),
        ("not-an-address", "127.0.0.1"),
    ],
)
def test_client_ip(forwarded: str, expected: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_force_login_still_works_for_tests(admin_client) -> None:  # type: ignore[no-untyped-def]
    assert admin_client.get(reverse("admin:index")).status_code == 200


# --- sessions -----------------------------------------------------------------------------


def test_a_session_lasts_8_hours_without_use(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_using_the_site_extends_the_session_a_few_times_an_hour(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officer)
    client.get("/admin/")
    first = _session(client)
    assert first.get_decoded()[LAST_SEEN_KEY] == pytest.approx(time.time(), abs=5)

    client.get("/admin/")
    assert _session(client).expire_date == first.expire_date  # no write a minute later

    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 301
    session.save()
    Session.objects.filter(pk=first.pk).update(expire_date=timezone.now() + dt.timedelta(hours=1))
    client.get("/admin/")

    extended = _session(client)
    assert extended.expire_date > timezone.now() + dt.timedelta(hours=7, minutes=59)


def test_an_expired_session_sends_back_to_the_log_in_page(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officer)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/")

    assert response["Location"] == f"{LOGIN}?next=/"


def test_the_session_cookie_is_http_only_and_same_site(officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _log_in(client, "thu-ky", PASSWORD)

    cookie = client.cookies["sessionid"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 8 * 3600
