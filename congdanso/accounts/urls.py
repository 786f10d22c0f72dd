from django.urls import path

from congdanso.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("nhat-ky/", views.audit_list, name="audit"),
]

ACCESS = {"login": "public", "logout": "signed-in", "audit": "manager"}
