"""`SyncAndAsyncMiddleware`: a class middleware that runs in a sync or an async chain.

Django's `MiddlewareMixin` runs its hooks through `sync_to_async` in an async chain (a thread hop
per request); a sync-only middleware pushes everything below it into a thread. Subclasses of this
base state their hooks as plain, non-blocking functions, which run where the request is: on the
event loop under ASGI, in the request's thread under WSGI or the test client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class SyncAndAsyncMiddleware:
    """Call `answer_early`, then (unless it answered) the rest of the chain, then `finish`.

    Both hooks must not block (no ORM, no file reads): in an async chain they run on the loop.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def answer_early(self, request: HttpRequest) -> HttpResponseBase | None:
        """Return a response that skips the rest of the chain, or None to go on."""
        return None

    def finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """Return the response to send for `response` from the rest of the chain."""
        return response

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        early = self.answer_early(request)
        if early is not None:
            return early
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return self.finish(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        early = self.answer_early(request)
        if early is not None:
            return early
        pending = self.get_response(request)
        assert not isinstance(pending, HttpResponseBase)  # an async chain answers with a coroutine
        return self.finish(request, await pending)
