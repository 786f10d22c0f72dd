"""The places page: a commune's villages and sites, and for its managers the forms to add,
rename, archive and bring back one.

One URL: the forms post to the page itself with an `action`, the page's services do the
writing (`places.services`), and scope comes from `scope.access` — a commune the user
does not manage, or a place outside it, does not exist for them (404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.core.errors import DomainError, NotFound
from congdanso.people.selectors import villages_with_residents
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.places.services import place_archive, place_restore, village_add, village_rename
from congdanso.scope.access import (
    MANAGE_ROLES,
    access_for,
    commune_managed_get,
    communes_managed,
)
from congdanso.web.setup.forms_places import CommunePickForm, VillageAddForm, VillageRenameForm

ACTIONS = ("add", "rename", "archive", "restore")


def _local_place(commune: Place, place_id: str) -> Place:
    place = None
    if place_id.isdigit():
        place = Place.objects.filter(pk=int(place_id), parent=commune, kind__in=LOCAL_KINDS).first()
    if place is None:
        raise NotFound(_("No such village or site."), code="not_found")
    return place


@require_http_methods(["GET", "POST"])
def place_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_admin or access.paths(MANAGE_ROLES)):
        raise Http404  # another role: the page does not exist for them
    communes = list(communes_managed(access))
    code = (request.POST.get("xa") or request.GET.get("xa") or "").strip()
    commune = commune_managed_get(access, code) if code else (communes[0] if communes else None)
    if commune is not None and commune not in communes:
        communes.append(commune)
    add_form = VillageAddForm(prefix="add")
    rename_errors: dict[int, Any] = {}
    if request.method == "POST" and commune is not None:
        response = _act(request, commune, add_form, rename_errors)
        if isinstance(response, HttpResponse):
            return response
        add_form = response
    picker = CommunePickForm(
        initial={"xa": commune.code if commune else ""},
        communes=[(c.code, c.name) for c in communes],
    )
    places = list(villages_with_residents(commune)) if commune is not None else []
    for place in places:
        place.rename_form = VillageRenameForm(  # type: ignore[attr-defined]
            prefix=f"p{place.pk}", initial={"name": place.name}
        )
        place.rename_errors = rename_errors.get(place.pk)  # type: ignore[attr-defined]
    context = {
        "commune": commune,
        "communes": communes,
        "picker": picker,
        "places": places,
        "add_form": add_form,
        "nav_active": "places",
    }
    return render(request, "setup/place_list.html", context)


def _act(
    request: HttpRequest, commune: Place, add_form: VillageAddForm, rename_errors: dict[int, Any]
) -> HttpResponse | VillageAddForm:
    """Do the posted action: a redirect when done, else the form to show again."""
    action = request.POST.get("action", "")
    back = f"{reverse('places:list')}?xa={commune.code}"
    if action not in ACTIONS:
        raise DomainError(_("Unknown action."), code="bad_action")
    try:
        if action == "add":
            add_form = VillageAddForm(request.POST, prefix="add")
            if not add_form.is_valid():
                return add_form
            place = village_add(
                commune=commune,
                name=add_form.cleaned_data["name"],
                kind=add_form.cleaned_data["kind"] or None,
            )
            messages.success(request, _("%(place)s added.") % {"place": place.name})
            return redirect(back)
        place = _local_place(commune, request.POST.get("place", ""))
        if action == "rename":
            form = VillageRenameForm(request.POST, prefix=f"p{place.pk}")
            if not form.is_valid():
                rename_errors[place.pk] = form.errors["name"]
                return add_form
            old = place.name
            place = village_rename(place=place, name=form.cleaned_data["name"])
            messages.success(
                request, _("%(old)s renamed %(new)s.") % {"old": old, "new": place.name}
            )
        elif action == "archive":
            place_archive(place=place)
            messages.success(request, _("%(place)s archived.") % {"place": place.name})
        else:
            place_restore(place=place)
            messages.success(request, _("%(place)s brought back.") % {"place": place.name})
    except NotFound:
        raise
    except DomainError as error:
        if action == "add":
            add_form.add_error("name", str(error.message))
            return add_form
        rename_errors[int(request.POST.get("place", "0"))] = [str(error.message)]
        return add_form
    return redirect(back)
