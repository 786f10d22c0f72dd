from django.urls import path

from congdanso.reports import views

app_name = "reports"

urlpatterns = [
    path("chien-dich/<int:campaign_id>/bao-cao.docx", views.report_docx_download, name="docx"),
    path("chien-dich/<int:campaign_id>/bao-cao.xlsx", views.report_xlsx_download, name="xlsx"),
]

#: Each page's access rule (see congdanso.urls.ACCESS_RULES). The reports are aggregates:
#: viewers may download them; the workbook's residents sheet follows the user's access.
ACCESS: dict[str, str] = {
    "docx": "campaign",
    "xlsx": "campaign",
}
