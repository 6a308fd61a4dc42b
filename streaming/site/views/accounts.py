"""Log out from a link as well as from a form: GET asks, POST logs out (CSRF-protected)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class ConfirmLogoutView(LogoutView):
    """Django's LogoutView (POST) with a confirmation page for GET, instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, "registration/logout_confirm.html")
