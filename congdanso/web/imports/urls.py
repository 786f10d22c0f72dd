"""The import pages: upload a list, check the preview, follow the job, get the rejects."""

from django.urls import path

from congdanso.web.imports import views

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "people": [
        path("nhap/", views.import_start, name="import"),
        path("nhap/<int:job_id>/", views.import_job, name="import_job"),
        path("nhap/<int:job_id>/xem-truoc/", views.import_preview, name="import_preview"),
        path("nhap/<int:job_id>/loai/", views.import_rejects, name="import_rejects"),
    ],
}

#: Each page's access rule (see congdanso.web.urls).
ACCESS = {
    "people:import": "manager",
    "people:import_job": "commune-manage",  # the managers of the job's commune (or campaign)
    "people:import_preview": "commune-manage",
    "people:import_rejects": "commune-manage",
}
