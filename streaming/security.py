"""The Content-Security-Policy every response carries: scripts and styles from this origin only.

No inline scripts anywhere (`script-src 'self'`, no `unsafe-inline`, no `unsafe-eval`): pages load
their ES modules from /static/ and read their data from `data-*` attributes or a
`<script type="application/json">` block, which a browser never runs. The WebSocket endpoint is
named explicitly in `connect-src` for browsers that do not match ws: to 'self'. The
Referrer-Policy comes from Django's `SECURE_REFERRER_POLICY` (SecurityMiddleware).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"

BASE_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)


def policy_for(request: HttpRequest) -> str:
    """Return the policy for `request`: BASE_POLICY plus this host's WebSocket origin."""
    connect = "'self'"
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    if host:
        connect += f" {'wss' if request.is_secure() else 'ws'}://{host}"
    directives = [*BASE_POLICY, ("connect-src", connect)]
    return "; ".join(f"{name} {value}" for name, value in directives)


class ContentSecurityPolicyMiddleware:
    """Add `Content-Security-Policy` to every response that does not set its own."""

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return self._add_header(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)  # type: ignore[misc]
        return self._add_header(request, response)

    @staticmethod
    def _add_header(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if HEADER not in response:
            response[HEADER] = policy_for(request)
        return response
