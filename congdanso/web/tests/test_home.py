"""The home page sends each role where its work is."""

import pytest
from django.urls import resolve, reverse

from congdanso.core.tests.world import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("unit_a", "outreach:sessions"),
        ("manager_a", "campaigns:dashboard"),
        ("head_a", "campaigns:dashboard"),
        ("viewer_a", "campaigns:dashboard"),
        ("admin", "campaigns:dashboard"),
    ],
)
def test_home_is_the_sessions_page_for_a_unit_member_and_the_dashboard_otherwise(
    world: World, who: str, page: str
) -> None:
    response = world.site(who).get(reverse("home"))

    assert response.status_code == 302
    assert resolve(response["Location"]).view_name == page
