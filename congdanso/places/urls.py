from django.urls import path

from congdanso.places import views

app_name = "places"

urlpatterns = [
    path("dia-ban/", views.place_list, name="list"),
]

#: Each page's access rule (see congdanso.urls.ACCESS_RULES).
ACCESS: dict[str, str] = {"list": "manager"}
