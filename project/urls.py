from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from streaming.site.views.accounts import ConfirmLogoutView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's auth URLs: a GET of /accounts/logout/ gets a page, not a bare 405.
    path("accounts/logout/", ConfirmLogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("streaming.site.urls")),
]
