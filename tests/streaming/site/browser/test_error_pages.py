"""Errors on the pages are pages in the site's style (a bad share link, an unknown address, a
403 in the admin), on a phone too; errors under /api/ stay JSON."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from tests.conftest import make_user
from tests.streaming.site.browser.stories import finished
from tests.streaming.site.browser.viewports import PHONE, assert_fits, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD = "n => getComputedStyle(n).borderRadius"


async def test_error_pages_look_like_the_site(browser, daphne_url, watch):
    owner = await sync_to_async(make_user)("alice")
    staff = await sync_to_async(make_user)("sam", staff=True)
    session = await finished(owner)
    anonymous = await open_page(browser, daphne_url, watch, viewport=PHONE)
    response = await anonymous.goto(f"{daphne_url}/sessions/{session.id}/replay/?token=wrong")
    assert response.status == 404
    await expect(anonymous.locator("main .error-card h1")).to_have_text("This link has expired")
    await expect(anonymous.locator("main .error-card")).to_contain_text("made a new link")
    assert await anonymous.locator("main .error-card").evaluate(CARD) != "0px"  # styled
    await expect(anonymous.locator("body")).not_to_contain_text("URLconf")  # not Django's page
    await assert_fits(anonymous, "the bad share link page")
    await watch.shot(anonymous, "error-bad-share-link-phone")

    response = await anonymous.goto(f"{daphne_url}/no/such/page/")
    assert response.status == 404
    await expect(anonymous.locator("main .error-card h1")).to_have_text("Page not found")

    other = await open_page(browser, daphne_url, watch, owner)
    response = await other.goto(f"{daphne_url}/sessions/{session.id}/?token=wrong")
    assert response.status == 200  # the owner reads it anyway: the token is not needed

    admin = await open_page(browser, daphne_url, watch, staff)
    response = await admin.goto(f"{daphne_url}/admin/streaming/event/add/")
    assert response.status == 403
    await expect(admin.locator("main .error-card h1")).to_have_text("Not allowed")
    await expect(admin.locator("main .error-card")).to_contain_text("403")
    await watch.shot(admin, "error-403-admin")

    api = await admin.request.get(f"{daphne_url}/api/sessions/not-a-session/")
    assert api.status == 404
    assert api.headers["content-type"].startswith("application/json")
    assert json.loads(await api.text())["error"]["code"] == "not_found"
    api = await admin.request.get(f"{daphne_url}/api/nothing-here/")
    assert json.loads(await api.text())["error"]["code"] == "not_found"
