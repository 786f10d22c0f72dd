"""The report downloads of a campaign's dashboard."""

from django.urls import path

from congdanso.web.reports import submissions, views

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "reports": [
        path("chien-dich/<int:campaign_id>/bao-cao.docx", views.report_docx_download, name="docx"),
        path("chien-dich/<int:campaign_id>/bao-cao.pdf", views.report_pdf_download, name="pdf"),
        path("chien-dich/<int:campaign_id>/bao-cao.xlsx", views.report_xlsx_download, name="xlsx"),
        # Reports sent up (a commune's figures frozen; the district or province decides).
        path(
            "chien-dich/<int:campaign_id>/bao-cao-da-gui/",
            submissions.submissions_page,
            name="submissions",
        ),
        path(
            "chien-dich/<int:campaign_id>/bao-cao-da-gui/<int:submission_id>/",
            submissions.submission_page,
            name="submission",
        ),
        path(
            "chien-dich/<int:campaign_id>/bao-cao-da-gui/<int:submission_id>/bao-cao.docx",
            submissions.submission_docx,
            name="submission_docx",
        ),
        path(
            "chien-dich/<int:campaign_id>/bao-cao-da-gui/<int:submission_id>/bao-cao.xlsx",
            submissions.submission_xlsx,
            name="submission_xlsx",
        ),
        path(
            "chien-dich/<int:campaign_id>/anh-tien-do.png", views.report_card_download, name="card"
        ),
    ],
}

#: Each page's access rule (see congdanso.web.urls). The reports are aggregates: viewers
#: may download them; the workbook's residents sheet follows the user's access.
ACCESS = {
    "reports:docx": "campaign",
    "reports:pdf": "campaign",  # the same report, laid out by LibreOffice
    "reports:xlsx": "campaign",
    "reports:card": "campaign",  # the picture to share: aggregates only
    # Aggregates too; sending is for the place's managers, deciding for the places above
    # (checked in the views: scope.access.can_submit_report / can_review_report).
    "reports:submissions": "campaign",
    "reports:submission": "campaign",
    "reports:submission_docx": "campaign",
    "reports:submission_xlsx": "campaign",
}
