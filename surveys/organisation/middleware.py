"""Request-wide rules about accounts: a forced password change, and initial passwords that
must not outlive the page that shows them."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from surveys.organisation.passwords import CREDENTIALS


class AccountMiddleware:
    """Sends an account with an initial or reset password to the change page, and drops the
    initial passwords of an import once the office leaves its result page.

    Placed after AuthenticationMiddleware, which sets request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            path = request.path_info
            if user.must_change_password and not self._exempt(path):
                return redirect("password_change")
            if CREDENTIALS in request.session and path not in self._credential_paths():
                del request.session[CREDENTIALS]
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        return path in (reverse("password_change"), reverse("logout")) or path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        )

    @staticmethod
    def _credential_paths():
        return (reverse("people_import_done"), reverse("people_import_passwords"))
