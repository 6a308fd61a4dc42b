"""Every page fits a phone (no sideways scroll at 390 by 844 or 360 by 740, the admin included),
event rows become two-line cards there, wide tables scroll inside their card, the header wraps;
and the admin's lists fit a 1366 px laptop."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.models import Event as EventRow
from tests.conftest import make_user
from tests.streaming.site.browser.audit import Strict
from tests.streaming.site.browser.stories import LONG_WORD, finished
from tests.streaming.site.browser.viewports import DESKTOP, PHONES, assert_fits, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


async def settle(page, path: str) -> None:
    """Wait for what the page draws after loading (the session pages load events)."""
    if path.endswith("/replay/"):
        await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    elif "/sessions/" in path and "token=nope" not in path:
        await expect(page.locator("#connection-state")).to_have_attribute("data-state", "ended")
        await expect(page.locator("#report .report-body")).to_be_visible()


@pytest.mark.parametrize("size", list(PHONES))
async def test_every_page_fits_a_phone(browser, daphne_url, watch, size):
    viewport = PHONES[size]
    staff = await sync_to_async(make_user)("sam", staff=True)
    session = await finished(staff, query=LONG_WORD)
    event = await EventRow.objects.filter(session=session, phase="error").afirst()
    sid = session.id
    pages = {
        "home": "/",
        "home-filtered": "/?q=Look&status=completed",
        "live": f"/sessions/{sid}/",
        "replay": f"/sessions/{sid}/replay/",
        "logout": "/accounts/logout/",
        "not-found": "/no-such-page/",
        "admin": "/admin/",
        "admin-sessions": "/admin/streaming/session/",
        "admin-session": f"/admin/streaming/session/{sid}/change/",
        "admin-events": f"/admin/streaming/event/?session={sid}",
        "admin-event": f"/admin/streaming/event/{event.pk}/change/",
    }
    page = await open_page(browser, daphne_url, watch, staff, viewport=viewport)
    strict = Strict(page)
    for name, path in pages.items():
        await page.goto(f"{daphne_url}{path}")
        await settle(page, path)
        await assert_fits(page, f"{name} at {size}")
        await watch.shot(page, f"phone-{size}-{name}")
    strict.assert_clean(expected=("/no-such-page/",))

    # Event rows are two-line cards: the message has a line of its own, under seq and time.
    await page.goto(f"{daphne_url}/sessions/{sid}/")
    await settle(page, "/sessions/")
    row = page.locator('#events [data-seq="8"]')
    seq_box = await row.locator(".ev-seq").bounding_box()
    msg_box = await row.locator(".ev-msg").bounding_box()
    assert msg_box["y"] >= seq_box["y"] + seq_box["height"] - 1, (seq_box, msg_box)
    assert msg_box["width"] > viewport["width"] / 2
    # The report's wide table scrolls inside its card.
    table = page.locator("#report table")
    assert await table.evaluate("t => t.scrollWidth > t.clientWidth")
    # The header wraps: "Log out" stays on the screen.
    logout = await page.locator(".topnav button[type=submit]").bounding_box()
    assert logout["x"] + logout["width"] <= viewport["width"]

    anonymous = await open_page(browser, daphne_url, watch, viewport=viewport)
    for name, path in {
        "login": "/accounts/login/",
        "shared-live": f"/sessions/{sid}/?token={session.share_token}",
        "bad-share-link": f"/sessions/{sid}/?token=nope",
    }.items():
        await anonymous.goto(f"{daphne_url}{path}")
        await settle(anonymous, path)
        await assert_fits(anonymous, f"{name} at {size}")
        await watch.shot(anonymous, f"phone-{size}-{name}")


async def test_the_admin_lists_show_every_column_at_1366(browser, daphne_url, watch):
    staff = await sync_to_async(make_user)("sam", staff=True)
    owner = await sync_to_async(make_user)("alice")
    for query in (LONG_WORD, "x" * 400, "Map the sample workspace"):
        await finished(owner, query=query)
    page = await open_page(browser, daphne_url, watch, staff, viewport=DESKTOP)
    for path in ("/admin/streaming/session/", "/admin/streaming/event/"):
        await page.goto(f"{daphne_url}{path}")
        await assert_fits(page, path)
        results = page.locator("#changelist .results")
        # Nothing scrolls out of sight inside the list either: every column is on the screen.
        assert await results.evaluate("r => r.scrollWidth <= r.clientWidth"), path
        for header in await page.locator("#result_list thead th").all():
            box = await header.bounding_box()
            assert box["x"] + box["width"] <= DESKTOP["width"], await header.text_content()
        # Rows stay readable: no link list stacked one per line, no row taller than a few lines.
        heights = await page.eval_on_selector_all(
            "#result_list tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)"
        )
        assert max(heights) < 110, heights
        await watch.shot(page, f"admin-1366-{path.strip('/').replace('/', '-')}")
