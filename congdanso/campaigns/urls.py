from django.urls import path

from congdanso.campaigns import views, views_dashboard, views_record, views_setup

app_name = "campaigns"

urlpatterns = [
    path("chien-dich/", views.campaign_list, name="list"),
    path("chien-dich/<int:campaign_id>/", views_dashboard.campaign_dashboard, name="dashboard"),
    path("chien-dich/<int:campaign_id>/nguoi-dan/", views_dashboard.campaign_people, name="people"),
    path(
        "chien-dich/<int:campaign_id>/thon/<str:code>/",
        views_dashboard.village_detail,
        name="village",
    ),
    path(
        "chien-dich/<int:campaign_id>/thon/<str:code>/in/",
        views_dashboard.village_print,
        name="village_print",
    ),
    path(
        "chien-dich/<int:campaign_id>/nguoi/<int:resident_id>/ghi-nhan/",
        views_record.achievement_record_page,
        name="record",
    ),
    # Campaign set-up (views_setup): everything a secretary sets up without the admin.
    path("chien-dich/<int:campaign_id>/thiet-lap/", views_setup.setup_overview, name="setup"),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/muc-tieu/",
        views_setup.setup_targets,
        name="setup_targets",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/tieu-chi/",
        views_setup.setup_criteria,
        name="setup_criteria",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/tieu-chi/them/",
        views_setup.setup_criterion_add,
        name="setup_criterion_add",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/don-vi/",
        views_setup.setup_units,
        name="setup_units",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/don-vi/<int:unit_id>/cam-ket/",
        views_setup.setup_pledge,
        name="setup_pledge",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/don-vi/<int:unit_id>/cam-ket/xoa/",
        views_setup.setup_pledge_delete,
        name="setup_pledge_delete",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/ket-nghia/",
        views_setup.setup_twinnings,
        name="setup_twinnings",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/ket-nghia/<int:twinning_id>/xoa/",
        views_setup.setup_twinning_delete,
        name="setup_twinning_delete",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/ung-ho/",
        views_setup.setup_donations,
        name="setup_donations",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/ung-ho/<int:donation_id>/",
        views_setup.setup_donation,
        name="setup_donation",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/ung-ho/<int:donation_id>/xoa/",
        views_setup.setup_donation_delete,
        name="setup_donation_delete",
    ),
    path(
        "chien-dich/<int:campaign_id>/thiet-lap/lich/",
        views_setup.setup_schedule,
        name="setup_schedule",
    ),
    path("chien-dich/<int:campaign_id>/lich.ics", views_setup.campaign_calendar, name="calendar"),
    path(
        "lich/<int:campaign_id>/<int:user_id>/<slug:token>.ics",
        views_setup.campaign_calendar_feed,
        name="calendar_feed",
    ),
]

#: Each page's access rule (see congdanso.urls.ACCESS_RULES).
ACCESS = {
    "list": "signed-in",
    "dashboard": "campaign",
    "people": "campaign-person",
    "village": "campaign-person",
    "village_print": "campaign-person",
    "record": "campaign-person",  # GET: back to the person card
    # Set-up: the managers of the campaign's place and administrators. A POST-only address
    # (…_delete, setup_criteria, setup_criterion_add) answers GET with a redirect to its page.
    "setup": "campaign-manage",
    "setup_targets": "campaign-manage",
    "setup_criteria": "campaign-manage",
    "setup_criterion_add": "campaign-manage",
    "setup_units": "campaign-manage",
    "setup_pledge": "campaign-manage",
    "setup_pledge_delete": "campaign-manage",
    "setup_twinnings": "campaign-manage",
    "setup_twinning_delete": "campaign-manage",
    "setup_donations": "campaign-manage",
    "setup_donation": "campaign-manage",
    "setup_donation_delete": "campaign-manage",
    "setup_schedule": "campaign-manage",
    "calendar": "campaign-manage",
    # No session: a calendar app fetches it with the token in the address, which stands for a
    # manager of the campaign (campaigns/calendar_links.py); a wrong token is a 404.
    "calendar_feed": "public",
}
