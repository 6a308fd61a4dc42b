"""JSON errors of docs/protocol.md: ``{"error": {"code": ..., "detail": ...}}``.

Under `/api/`, `/events` and `/healthz` every error is JSON: the views answer with `error_response`,
`streaming.site.middleware.json_errors.JsonErrorsMiddleware` turns Django's own error pages (404 for
unknown paths, 405, 413, …) into it, and `csrf_failure` (``CSRF_FAILURE_VIEW``) answers a failed
CSRF check with 403 `csrf`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

JSON_PREFIXES = ("/api/", "/events", "/healthz")

CODE_FOR_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
DETAIL_FOR_CODE = {
    "bad_request": "the request is not valid",
    "forbidden": "you may not do this",
    "not_found": "nothing is here",
    "method_not_allowed": "this method is not allowed here",
    "too_large": "the request body is larger than 1 MiB",
    "server_error": "the server failed; try again",
}


def is_json_path(path: str) -> bool:
    """Return True for the paths whose errors are JSON (`/api/…`, `/events…`, `/healthz…`)."""
    return path == "/api" or path.startswith(JSON_PREFIXES)


def error_response(
    status: int, code: str | None = None, detail: str | None = None, **extra: Any
) -> JsonResponse:
    """Return docs/protocol.md's JSON error; `code` defaults to the status's usual code."""
    code = code or CODE_FOR_STATUS.get(status, "error")
    body = {"error": {"code": code, "detail": detail or DETAIL_FOR_CODE.get(code, code)}}
    response = JsonResponse(body, status=status)
    # A marker that `JsonErrorsMiddleware` reads with getattr; JsonResponse declares no such field.
    response.agentstream_json_error = True  # type: ignore[attr-defined]
    for header, value in extra.items():
        response[header.replace("_", "-")] = str(value)
    return response


def error_page(
    request: HttpRequest, status: int, *, title: str | None = None, detail: str | None = None
) -> HttpResponse:
    """Return the site's error page for `status` (its 400, 403 or 404 template, else 404's)."""
    template = f"{status}.html" if status in (400, 403, 404) else "404.html"
    context = {"status": status, "title": title, "detail": detail}
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: 403 `csrf` as JSON on the API paths, the site's 403 page elsewhere."""
    if is_json_path(request.path):
        return error_response(403, "csrf", f"CSRF verification failed: {reason}")
    detail = "The page was open too long or its cookie is missing: reload it and try again."
    if settings.DEBUG:
        detail += f" (Django: {reason})"
    return error_page(request, 403, title="This form has expired", detail=detail)
