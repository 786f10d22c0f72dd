from django.urls import path

from congdanso.outreach import views

app_name = "outreach"

urlpatterns = [
    path("chien-dich/<int:campaign_id>/buoi/", views.session_list_page, name="sessions"),
    path("chien-dich/<int:campaign_id>/buoi/mo/", views.session_open_page, name="session_open"),
    path(
        "chien-dich/<int:campaign_id>/buoi/<int:session_id>/",
        views.session_page,
        name="session",
    ),
    path(
        "chien-dich/<int:campaign_id>/buoi/<int:session_id>/luot/",
        views.session_turn_page,
        name="session_turn",
    ),
    path(
        "chien-dich/<int:campaign_id>/buoi/<int:session_id>/them-mot/",
        views.session_anonymous_page,
        name="session_anonymous",
    ),
    path(
        "chien-dich/<int:campaign_id>/buoi/<int:session_id>/tinh-trang/",
        views.session_status_page,
        name="session_status",
    ),
]

#: Each page's access rule (see congdanso.urls.ACCESS_RULES). The POST-only pages answer a GET
#: with a redirect to the page that has their form.
ACCESS: dict[str, str] = {
    "sessions": "campaign-person",
    "session_open": "campaign-person",
    "session": "campaign-person",
    "session_turn": "campaign-person",
    "session_anonymous": "campaign-person",
    "session_status": "campaign-person",
}
