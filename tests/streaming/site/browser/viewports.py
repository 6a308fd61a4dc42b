"""Pages in the browser at the sizes people use: a 1366 px laptop and two phones, light or dark,
with the clipboard granted (the Share and Copy buttons), and what a page must not do at any size:
scroll sideways."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async

from tests.streaming.site.browser.conftest import EXPECT_TIMEOUT_MS, PageWatch, session_cookie

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
PHONES = {"390x844": PHONE, "360x740": SMALL_PHONE}


async def open_page(
    browser: Any,
    base: str,
    watch: PageWatch,
    user: Any = None,
    *,
    viewport: dict[str, int] = DESKTOP,
    color_scheme: str = "light",
    bypass_csp: bool = False,
) -> Any:
    """A page in a fresh context of `viewport` and `color_scheme`, logged in as `user` if given,
    that may write and read the clipboard (`bypass_csp`: for a tool that injects styles)."""
    context = await browser.new_context(
        viewport=viewport,
        color_scheme=color_scheme,
        accept_downloads=True,
        bypass_csp=bypass_csp,
    )
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    if user is not None:
        await context.add_cookies([await sync_to_async(session_cookie)(user, base)])
    page = await context.new_page()
    page.set_default_timeout(EXPECT_TIMEOUT_MS)
    return watch.attach(page)


async def page_width(page: Any) -> tuple[int, int]:
    """Return the page's (scrollWidth, innerWidth): a wider page scrolls sideways."""
    return tuple(await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


async def assert_fits(page: Any, what: str) -> None:
    """Fail if the page scrolls sideways, naming the elements that stick out."""
    scroll, inner = await page_width(page)
    if scroll <= inner:
        return
    wide = await page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(n => n.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 8).map(n => `${n.tagName}.${n.className}#${n.id}`)"""
    )
    raise AssertionError(f"{what}: {scroll} px wide in a {inner} px window; sticking out: {wide}")


async def clipboard(page: Any) -> str:
    """Return the text on the clipboard."""
    return await page.evaluate("navigator.clipboard.readText()")
