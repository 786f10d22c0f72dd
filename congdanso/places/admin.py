from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from congdanso.places.models import Place
from congdanso.vn import fold


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "path", "archived_at"]
    list_filter = ["kind", "is_official"]
    search_fields = ["code", "name_key"]
    # The tree (codes, parents, paths) is changed only through its services and commands.
    readonly_fields = [
        "code",
        "name",
        "kind",
        "parent",
        "commune",
        "path",
        "name_key",
        "is_official",
        "created_at",
    ]
    list_select_related = ["parent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Place | None = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Place], search_term: str
    ) -> tuple[QuerySet[Place], bool]:
        # Search the folded key so that "ea yong" finds "Xã Ea Yông".
        return super().get_search_results(request, queryset, fold(search_term))
