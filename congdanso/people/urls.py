from django.urls import path

from congdanso.people import views, views_import

app_name = "people"

urlpatterns = [
    path("chien-dich/<int:campaign_id>/tim/", views.resident_search_page, name="search"),
    path(
        "chien-dich/<int:campaign_id>/nguoi/<int:resident_id>/",
        views.resident_card_page,
        name="card",
    ),
    path(
        "chien-dich/<int:campaign_id>/nguoi/<int:resident_id>/xem-so/",
        views.resident_reveal_page,
        name="reveal",
    ),
    path(
        "chien-dich/<int:campaign_id>/nguoi/<int:resident_id>/loi/<int:issue_id>/",
        views.data_issue_fix_page,
        name="issue_fix",
    ),
    path("nhap/", views_import.import_start, name="import"),
    path("nhap/<int:job_id>/", views_import.import_job, name="import_job"),
    path("nhap/<int:job_id>/xem-truoc/", views_import.import_preview, name="import_preview"),
    path("nhap/<int:job_id>/loai/", views_import.import_rejects, name="import_rejects"),
]

#: Each page's access rule (see congdanso.urls.ACCESS_RULES).
ACCESS: dict[str, str] = {
    "search": "campaign-person",
    "card": "campaign-person",
    "reveal": "campaign-person",  # GET: back to the card; POST: managers (can_reveal)
    "issue_fix": "campaign-person",  # GET: back to the card; POST: managers (can_reveal)
    "import": "manager",
    "import_job": "commune-manage",  # the managers of the job's commune (or campaign place)
    "import_preview": "commune-manage",
    "import_rejects": "commune-manage",
}
