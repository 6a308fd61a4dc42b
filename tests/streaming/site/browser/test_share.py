"""Sharing a session: the Share button (owner and staff) copies the read-only link and says so; a
new link makes every old one stop working; share-link readers get no Share button; the admin
shows the current link too."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.models import Session
from tests.conftest import make_user
from tests.streaming.site.browser.stories import finished
from tests.streaming.site.browser.viewports import PHONE, clipboard, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


async def test_share_copies_the_link_and_a_new_link_retires_the_old(browser, daphne_url, watch):
    owner = await sync_to_async(make_user)("alice")
    session = await finished(owner)
    old = session.share_token
    page = await open_page(browser, daphne_url, watch, owner, viewport=PHONE)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#share-panel")).to_be_hidden()
    await page.click("#share-button")
    await expect(page.locator("#share-status")).to_have_text("Copied the read-only link")
    link = await clipboard(page)
    assert link == f"{daphne_url}/sessions/{session.id}/?token={old}"
    await expect(page.locator("#share-link")).to_have_value(link)
    await expect(page.locator("#share-button")).to_have_attribute("aria-expanded", "true")
    await watch.shot(page, "share-copied-phone")

    reader = await open_page(browser, daphne_url, watch)  # nobody logged in
    await reader.goto(link)
    await expect(reader.locator("#session-status")).to_have_attribute("data-status", "completed")
    await expect(reader.locator("#share-button")).to_have_count(0)  # reading only
    await expect(reader.locator("#cancel-button")).to_have_count(0)

    await page.click("#share-rotate")
    await expect(page.locator("#share-status")).to_contain_text("Every old link has stopped")
    new_link = await clipboard(page)
    session = await Session.objects.aget(pk=session.id)
    assert session.share_token != old
    assert new_link == f"{daphne_url}/sessions/{session.id}/?token={session.share_token}"
    await expect(page.locator("#share-link")).to_have_value(new_link)

    await reader.goto(link)  # the old link: the site's 404 page, saying why
    await expect(reader.locator("main h1")).to_have_text("This link has expired")
    await watch.shot(reader, "share-old-link")
    await reader.goto(new_link)
    await expect(reader.locator("#session-status")).to_have_attribute("data-status", "completed")


async def test_staff_share_from_the_replay_and_find_the_link_in_the_admin(
    browser, daphne_url, watch
):
    owner = await sync_to_async(make_user)("alice")
    staff = await sync_to_async(make_user)("sam", staff=True)
    session = await finished(owner)
    page = await open_page(browser, daphne_url, watch, staff)
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/")
    await page.keyboard.press("s")  # the shortcut for Share
    await expect(page.locator("#share-status")).to_have_text("Copied the read-only link")
    assert await clipboard(page) == (
        f"{daphne_url}/sessions/{session.id}/replay/?token={session.share_token}"
    )

    await page.click("#admin-link")  # from the page to the admin
    await expect(page).to_have_url(re.compile(rf"/admin/streaming/session/{session.id}/change/$"))
    shared = page.locator("[data-share-link]")
    await expect(shared).to_have_attribute(
        "href", f"/sessions/{session.id}/?token={session.share_token}"
    )
    await page.click("[data-copy-link]")
    await expect(page.locator(".as-copied")).to_have_text("Copied")
    assert (
        await clipboard(page) == f"{daphne_url}/sessions/{session.id}/?token={session.share_token}"
    )
    await watch.shot(page, "admin-share-link")
