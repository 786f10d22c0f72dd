"""Log-in, log-out and the audit log."""

from django.urls import path

from congdanso.web.accounts import views

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "accounts": [
        path("dang-nhap/", views.LoginView.as_view(), name="login"),
        path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
        path("nhat-ky/", views.audit_list, name="audit"),
    ],
}

#: Each page's access rule (see congdanso.web.urls).
ACCESS = {"accounts:login": "public", "accounts:logout": "signed-in", "accounts:audit": "manager"}
