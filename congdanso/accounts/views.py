"""Log-in and log-out pages, Django's own views with this site's templates.

Everything else needs a signed-in user (LoginRequiredMiddleware); the log-in view is marked
`login_not_required` by Django. Failed log-ins count toward the lock-out (see `lockout`).
"""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only, so that a link or an image elsewhere cannot sign anybody out."""
