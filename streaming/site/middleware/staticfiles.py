"""Static files from the ASGI app itself: WhiteNoise, as middleware that is also async.

WhiteNoise's own middleware is sync-only. One sync-only middleware makes Django run everything
below it through `async_to_sync` from a worker thread, so every async view (the JSON API, the
streams) pays a thread hop, and tasks started by such a view inherit asgiref's executor of that
finished request: the runner's background tasks then fail with "CurrentThreadExecutor already
quit or is broken". This subclass keeps WhiteNoise's file index and responses and adds the async
path, so the middleware chain stays async end to end. Found files are opened off the event loop
and read chunk by chunk off it too: WhiteNoise's `FileResponse` iterates synchronously, which
Django's ASGI handler would consume whole with a warning (`list()` of the file in a thread).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """`whitenoise.middleware.WhiteNoiseMiddleware`, sync and async capable."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        super().__init__(get_response, **kwargs)
        self.is_async = get_response is not None and iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        response: HttpResponseBase = super().__call__(request)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.autorefresh:  # looks on disk (DEBUG): off the loop
            static_file = await sync_to_async(self.find_file, thread_sensitive=False)(
                request.path_info
            )
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            served = await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
            return stream_asynchronously(served)
        response: HttpResponseBase = await self.get_response(request)
        return response


def stream_asynchronously(response: HttpResponseBase) -> HttpResponseBase:
    """Give a streaming response with a sync iterator an async one reading each chunk off the loop.

    Return the response itself. Like Django's `ASGIStaticFilesHandler`, but one block at a time
    (the file stays closed by the response's own resource closers).
    """
    if not isinstance(response, StreamingHttpResponse) or response.is_async:
        return response
    content = response.streaming_content
    assert not isinstance(content, AsyncIterator)  # not `is_async`: a sync iterator
    chunks = iter(content)

    def next_chunk() -> bytes | None:
        return next(chunks, None)

    read_next = sync_to_async(next_chunk, thread_sensitive=False)

    async def read() -> AsyncIterator[bytes]:
        while (chunk := await read_next()) is not None:
            yield chunk

    response.streaming_content = read()
    return response
