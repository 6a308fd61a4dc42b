"""axe-core (vendored, run from disk) finds no serious or critical accessibility violation on the
home, live, replay and admin pages, in the light theme and the dark one.

axe adds style elements of its own while it checks colours, which the pages' policy refuses, so
these pages run without their Content-Security-Policy (the other browser tests keep it on).
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.models import Event as EventRow
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.audit import axe_violations, describe
from tests.streaming.site.browser.stories import finished
from tests.streaming.site.browser.viewports import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_no_serious_accessibility_violations(browser, daphne_url, watch, scheme):
    staff = await sync_to_async(make_user)("sam", staff=True)
    session = await finished(staff)
    await finished(staff, query="It failed", end="failed")
    await sync_to_async(make_session)(staff, query="Waiting to start")
    event = await EventRow.objects.filter(session=session).alast()
    sid = session.id
    pages = {
        "home": "/",
        "live": f"/sessions/{sid}/",
        "replay": f"/sessions/{sid}/replay/",
        "admin": "/admin/",
        "admin-sessions": "/admin/streaming/session/",
        "admin-session": f"/admin/streaming/session/{sid}/change/",
        "admin-events": f"/admin/streaming/event/?session={sid}",
        "admin-event": f"/admin/streaming/event/{event.pk}/change/",
        "not-found": "/no-such-page/",
    }
    page = await open_page(browser, daphne_url, watch, staff, color_scheme=scheme, bypass_csp=True)
    found = {}
    for name, path in pages.items():
        await page.goto(f"{daphne_url}{path}")
        if name == "live":
            await expect(page.locator("#report .report-body")).to_be_visible()
            await page.click('#events [data-seq="3"]')  # the details card, filled
        elif name == "replay":
            await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
            await page.select_option("#speed", "instant")
            await expect(page.locator("#report .report-body")).to_be_visible()
        if violations := await axe_violations(page):
            found[name] = violations
    assert not found, describe([{"page": name, **v} for name, vs in found.items() for v in vs])

    anonymous = await open_page(browser, daphne_url, watch, color_scheme=scheme, bypass_csp=True)
    for path in ("/accounts/login/", f"/sessions/{sid}/?token={session.share_token}"):
        await anonymous.goto(f"{daphne_url}{path}")
        assert await axe_violations(anonymous) == [], path
