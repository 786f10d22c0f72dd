"""The dashboard's pages: the campaigns, a campaign's figures, the people behind a number, a
village's page and its printed checklist."""

from django.urls import path

from congdanso.web.dashboard import views

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "campaigns": [
        path("chien-dich/", views.campaign_list, name="list"),
        path("chien-dich/<int:campaign_id>/", views.campaign_dashboard, name="dashboard"),
        path("chien-dich/<int:campaign_id>/nguoi-dan/", views.campaign_people, name="people"),
        path(
            "chien-dich/<int:campaign_id>/nguoi-dan.xlsx",
            views.campaign_people_xlsx,
            name="people_xlsx",
        ),
        path("chien-dich/<int:campaign_id>/thon/<str:code>/", views.village_detail, name="village"),
        path(
            "chien-dich/<int:campaign_id>/thon/<str:code>/danh-sach.xlsx",
            views.village_xlsx,
            name="village_xlsx",
        ),
        path(
            "chien-dich/<int:campaign_id>/thon/<str:code>/in/",
            views.village_print,
            name="village_print",
        ),
    ],
}

#: Each page's access rule (see congdanso.web.urls).
ACCESS = {
    "campaigns:list": "signed-in",
    "campaigns:dashboard": "campaign",
    "campaigns:people": "campaign-person",
    "campaigns:village": "campaign-person",
    "campaigns:village_print": "campaign-person",
    # "Tải Excel": the same people as the page, so the same rule.
    "campaigns:people_xlsx": "campaign-person",
    "campaigns:village_xlsx": "campaign-person",
}
