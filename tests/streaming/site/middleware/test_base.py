"""streaming/site/middleware/base.py: one class for sync and async chains, no thread hop."""

from __future__ import annotations

import threading

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from streaming.site.middleware.base import SyncAndAsyncMiddleware
from streaming.site.middleware.security import ContentSecurityPolicyMiddleware


class Recorder(SyncAndAsyncMiddleware):
    """Answers /early itself; marks every other response; records the threads its hooks ran in."""

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        self.threads: list[threading.Thread] = []

    def answer_early(self, request: HttpRequest) -> HttpResponseBase | None:
        self.threads.append(threading.current_thread())
        return HttpResponse("early") if request.path == "/early" else None

    def finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        self.threads.append(threading.current_thread())
        response["X-Finished"] = "yes"
        return response


def test_in_a_sync_chain_the_hooks_wrap_the_rest(rf):
    calls = []

    def view(request):
        calls.append(request.path)
        return HttpResponse("view")

    middleware = Recorder(view)
    assert not iscoroutinefunction(middleware)
    assert middleware(rf.get("/page"))["X-Finished"] == "yes"
    assert middleware(rf.get("/early")).content == b"early"
    assert calls == ["/page"]


async def test_in_an_async_chain_the_hooks_run_on_the_loop(rf):
    calls = []

    async def view(request):
        calls.append(request.path)
        return HttpResponse("view")

    middleware = Recorder(view)
    assert iscoroutinefunction(middleware)
    response = await middleware(rf.get("/page"))
    assert response["X-Finished"] == "yes"
    assert (await middleware(rf.get("/early"))).content == b"early"
    assert calls == ["/page"]
    assert set(middleware.threads) == {threading.current_thread()}  # no thread hop


async def test_the_csp_middleware_is_one(rf):
    async def view(request):
        return HttpResponse("view")

    middleware = ContentSecurityPolicyMiddleware(view)
    assert isinstance(middleware, SyncAndAsyncMiddleware)
    response = await middleware(rf.get("/", HTTP_HOST="localhost"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
