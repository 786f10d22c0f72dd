"""The report downloads of a campaign's dashboard."""

from django.urls import path

from congdanso.web.reports import views

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "reports": [
        path("chien-dich/<int:campaign_id>/bao-cao.docx", views.report_docx_download, name="docx"),
        path("chien-dich/<int:campaign_id>/bao-cao.xlsx", views.report_xlsx_download, name="xlsx"),
        path(
            "chien-dich/<int:campaign_id>/anh-tien-do.png", views.report_card_download, name="card"
        ),
    ],
}

#: Each page's access rule (see congdanso.web.urls). The reports are aggregates: viewers
#: may download them; the workbook's residents sheet follows the user's access. The card
#: (a picture to share) holds aggregates only.
ACCESS = {"reports:docx": "campaign", "reports:xlsx": "campaign", "reports:card": "campaign"}
