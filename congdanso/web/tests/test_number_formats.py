"""Counts on the pages are written the Vietnamese way (1.183, not 1183)."""

import pytest
from bs4 import BeautifulSoup
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


def test_the_places_page_writes_1183_residents_with_a_thousands_dot(ea_yong: Place) -> None:
    village = ea_yong.children.get(name="Thôn Cao Bằng")
    # 1,183 real rows in one village (built, then inserted at once: the page only counts them)
    Resident.objects.bulk_create(ResidentFactory.build_batch(1183, village=village))
    user = User.objects.create_user("thu_ky")
    role_grant(user=user, role=Role.MANAGER, place=ea_yong)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)

    response = client.get(reverse("places:list"))

    soup = BeautifulSoup(response.content, "html.parser")
    meta = [m.get_text(" ", strip=True) for m in soup.select(".places-meta")]
    assert [text for text in meta if "1.183 người dân" in text], meta


def test_the_pagination_writes_page_numbers_with_a_thousands_dot() -> None:
    page = Paginator(range(1500), 1).get_page(1200)

    with translation.override("vi"):
        html = render_to_string(
            "dashboard/_pagination.html", {"page": page, "request": RequestFactory().get("/")}
        )

    assert "Trang 1.200/1.500" in BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
