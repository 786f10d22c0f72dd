"""Field mode's pages: find a person, their card (record, show a number, fix a data issue),
and session mode."""

from django.urls import path

from congdanso.web.field import cards_scanned, offline, people, record, sessions

PERSON = "chien-dich/<int:campaign_id>/nguoi/<int:resident_id>/"
SESSION = "chien-dich/<int:campaign_id>/buoi/<int:session_id>/"

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "people": [
        path("chien-dich/<int:campaign_id>/tim/", people.resident_search_page, name="search"),
        path(PERSON, people.resident_card_page, name="card"),
        path(
            "chien-dich/<int:campaign_id>/them-nguoi/", cards_scanned.card_add_page, name="card_add"
        ),
        path("chien-dich/<int:campaign_id>/quet/", cards_scanned.card_scan_page, name="scan"),
        path(PERSON + "gan-cccd/", cards_scanned.card_attach_page, name="card_attach"),
        path(PERSON + "xem-so/", people.resident_reveal_page, name="reveal"),
        path(PERSON + "loi/<int:issue_id>/", people.data_issue_fix_page, name="issue_fix"),
        path(
            PERSON + "thu-hoi/<int:achievement_id>/",
            record.achievement_withdraw_page,
            name="withdraw",
        ),
    ],
    "campaigns": [
        path(PERSON + "ghi-nhan/", record.achievement_record_page, name="record"),
    ],
    "outreach": [
        path("chien-dich/<int:campaign_id>/buoi/", sessions.session_list_page, name="sessions"),
        path(
            "chien-dich/<int:campaign_id>/buoi/mo/",
            sessions.session_open_page,
            name="session_open",
        ),
        path(SESSION, sessions.session_page, name="session"),
        path(SESSION + "luot/", sessions.session_turn_page, name="session_turn"),
        path(SESSION + "them-mot/", sessions.session_anonymous_page, name="session_anonymous"),
        path(SESSION + "tinh-trang/", sessions.session_status_page, name="session_status"),
        path(SESSION + "hoan-tac/", sessions.session_undo_page, name="session_undo"),
        path(SESSION + "danh-sach.json", offline.session_roster_page, name="session_roster"),
        path(
            SESSION + "nguoi-moi/<int:newcomer_id>/",
            sessions.session_newcomer_page,
            name="session_newcomer",
        ),
    ],
}

#: Pages outside any namespace: the offline app's shell, its worker and the site's manifest.
ROOT = [
    path("ngoai-tuyen/", offline.offline_shell, name="offline_shell"),
    path("ngoai-tuyen/csrf/", offline.offline_csrf, name="offline_csrf"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
]

#: Each page's access rule (see congdanso.web.urls). The POST-only pages answer a GET with a
#: redirect to the page that has their form.
ACCESS = {
    "offline_shell": "signed-in",  # no personal data: the script fills it from the phone
    "offline_csrf": "signed-in",
    "service_worker": "public",
    "web_manifest": "public",
    "people:search": "campaign-person",
    "people:card": "campaign-person",
    "people:scan": "campaign-person",
    "people:card_add": "campaign-person",  # POST: managers and unit members, in their villages
    "people:card_attach": "campaign-person",  # POST: who records for the resident
    "people:reveal": "campaign-person",  # GET: back to the card; POST: managers (can_reveal)
    "people:issue_fix": "campaign-person",  # GET: back to the card; POST: managers (can_reveal)
    # GET: back to the card; POST: a manager, or the user who recorded the achievement
    "people:withdraw": "campaign-person",
    "campaigns:record": "campaign-person",  # GET: back to the person card
    "outreach:sessions": "campaign-person",
    "outreach:session_open": "campaign-person",
    "outreach:session": "campaign-person",
    "outreach:session_turn": "campaign-person",
    "outreach:session_anonymous": "campaign-person",
    "outreach:session_status": "campaign-person",
    "outreach:session_roster": "campaign-person",
    "outreach:session_undo": "campaign-person",  # POST: who recorded the tick, or a manager
    "outreach:session_newcomer": "campaign-person",  # POST: the managers of the commune
}
