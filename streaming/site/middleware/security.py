"""The Content-Security-Policy every response carries: scripts and styles from this origin only.

No inline scripts anywhere (`script-src 'self'`, no `unsafe-inline`, no `unsafe-eval`): pages load
their ES modules from /static/ and read their data from `data-*` attributes or a
`<script type="application/json">` block, which a browser never runs. The WebSocket endpoint is
named explicitly in `connect-src` for browsers that do not match ws: to 'self'. The
Referrer-Policy comes from Django's `SECURE_REFERRER_POLICY` (SecurityMiddleware).
"""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

from streaming.site.middleware.base import SyncAndAsyncMiddleware

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


class ContentSecurityPolicyMiddleware(SyncAndAsyncMiddleware):
    """Add `Content-Security-Policy` to every response that does not set its own."""

    def finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if HEADER not in response:
            response[HEADER] = policy_for(request)
        return response
