"""`JsonErrorsMiddleware`: docs/protocol.md's JSON errors under `/api/`, `/events` and `/healthz`.

Placed before the session, common and CSRF middleware (project/settings.py), it sees every
error response they or the URL resolver make for those paths and answers it as
``{"error": {"code", "detail"}}``: 404 `not_found` for unknown paths, 405 `method_not_allowed`
(keeping `Allow`), 413 `too_large`, … Bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are refused
with 413 before anything reads them, and an unsafe request to an API path missing its trailing
slash is redirected with 308 (which keeps the method and body) instead of Django's 301 or its
DEBUG-mode RuntimeError.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.urls import is_valid_path

from streaming.site.middleware.base import SyncAndAsyncMiddleware
from streaming.site.views.errors import error_response, is_json_path

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


class JsonErrorsMiddleware(SyncAndAsyncMiddleware):
    """Answer errors on the JSON paths as JSON; refuse oversized bodies early."""

    def answer_early(self, request: HttpRequest) -> HttpResponseBase | None:
        return self.refuse_early(request)

    def finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return self.as_json(request, response)

    @staticmethod
    def refuse_early(request: HttpRequest) -> HttpResponseBase | None:
        """Return a response for requests answered before any other middleware, else None."""
        if not is_json_path(request.path_info):
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "bad_request", "Content-Length is not a number")
        if limit is not None and length > limit:
            return error_response(413, "too_large", f"the body is larger than {limit} bytes")
        path = request.path_info
        if (
            request.method not in SAFE_METHODS
            and settings.APPEND_SLASH
            and not path.endswith("/")
            and not is_valid_path(path, getattr(request, "urlconf", None))
            and is_valid_path(f"{path}/", getattr(request, "urlconf", None))
        ):
            return HttpResponsePermanentRedirectKeepMethod(
                request.get_full_path(force_append_slash=True)
            )
        return None

    @staticmethod
    def as_json(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """Return `response`, or its JSON twin if it is a non-JSON error on a JSON path."""
        if response.status_code < 400 or not is_json_path(request.path_info):
            return response
        if getattr(response, "agentstream_json_error", False):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = error_response(response.status_code)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replacement[header] = response[header]
        return replacement
