"""Log-in and log-out pages, Django's own views with this site's templates.

Everything else needs a signed-in user (LoginRequiredMiddleware); the log-in view is marked
`login_not_required` by Django. Failed log-ins count toward the lock-out (see `lockout`).
"""

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from congdanso.scope.access import MANAGE_ROLES, access_for
from congdanso.scope.audit import (
    audit_events_visible,
    audit_object_types,
    audit_rows,
    residents_named,
)
from congdanso.web.accounts.forms import AuditFilterForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only, so that a link or an image elsewhere cannot sign anybody out. The answer
    tells the browser to erase what the site kept on the phone (the offline roster and
    outbox, the app shell): `Clear-Site-Data`."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response


AUDIT_PAGE_SIZE = 50


def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log of the manager's communes, filtered, newest first (50 a page), as a
    commune officer reads it (`scope.audit.audit_rows`)."""
    access = access_for(request.user)
    if not (access.is_admin or access.paths(MANAGE_ROLES)):
        raise Http404  # another role: the page does not exist for them
    form = AuditFilterForm(request.GET or None, object_types=audit_object_types())
    events = audit_events_visible(access)
    if form.is_valid():
        data = form.cleaned_data
        resident = data["resident"].strip()
        events = audit_events_visible(
            access,
            actor_name=data["actor"],
            resident_ids=residents_named(access, resident) if resident else None,
            action=data["action"],
            object_type=data["object_type"],
            since=data["since"],
            until=data["until"],
        )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list),
            "query": query.urlencode(),
        },
    )
