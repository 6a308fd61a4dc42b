"""The small things used every day: dark mode (the system's, or a remembered choice), the `?`
overlay of keyboard shortcuts, copy buttons, and the report as a Markdown file."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from tests.conftest import make_user
from tests.streaming.site.browser.stories import finished
from tests.streaming.site.browser.viewports import PHONE, clipboard, open_page
from tests.streaming.site.conftest import REPORT_MD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUND = "document.body ? getComputedStyle(document.body).backgroundColor : ''"
LIGHT, DARK = "rgb(245, 246, 248)", "rgb(18, 21, 28)"


async def test_dark_mode_follows_the_system_and_a_remembered_choice(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice", staff=True)
    session = await finished(user)
    page = await open_page(browser, daphne_url, watch, user, color_scheme="dark")
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    assert await page.evaluate(BACKGROUND) == DARK  # the system prefers dark
    await expect(page.locator("#theme-toggle")).to_have_text("Theme: auto")
    await watch.shot(page, "dark-live")
    await page.click("#theme-toggle")  # auto → light (the one that looks different)
    await expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert await page.evaluate(BACKGROUND) == LIGHT
    await page.keyboard.press("t")  # light → dark
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    await page.keyboard.press("t")  # dark → auto
    await page.click("#theme-toggle")  # auto → light again
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/")
    await expect(page.locator("#theme-toggle")).to_have_text("Theme: light")  # remembered
    assert await page.evaluate(BACKGROUND) == LIGHT
    # The admin follows the same remembered choice (Django's admin keeps it under that key).
    await page.goto(f"{daphne_url}/admin/")
    await expect(page.locator("html")).to_have_attribute("data-theme", "light")

    light = await open_page(browser, daphne_url, watch, user, color_scheme="light")
    await light.goto(f"{daphne_url}/")
    assert await light.evaluate(BACKGROUND) == LIGHT
    await light.click("#theme-toggle")  # auto → dark
    assert await light.evaluate(BACKGROUND) == DARK
    await watch.shot(light, "dark-home")


async def test_the_shortcuts_overlay_lists_the_pages_keys(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await finished(user)
    page = await open_page(browser, daphne_url, watch, user, viewport=PHONE)
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/")
    dialog = page.locator("#shortcuts")
    await expect(dialog).to_be_hidden()
    await page.keyboard.press("?")
    await expect(dialog).to_be_visible()
    for entry in ("Play or pause", "Zoom the lanes", "Show or hide this list", "Share"):
        await expect(dialog).to_contain_text(entry)
    await watch.shot(page, "shortcuts-replay-phone")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await page.click("#shortcuts-button")
    await expect(dialog).to_be_visible()
    await page.click("#shortcuts-close")
    await expect(dialog).to_be_hidden()
    await page.goto(f"{daphne_url}/")
    await page.keyboard.press("?")
    await expect(dialog).to_contain_text("Search your sessions")
    await expect(dialog).not_to_contain_text("Play or pause")


async def test_copy_the_session_id_and_the_report_and_download_it(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await finished(user, report=REPORT_MD)
    page = await open_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await page.click("[data-copy-text]")
    await expect(page.locator(".session-id .copied")).to_have_text("Copied")
    assert await clipboard(page) == str(session.id)

    await expect(page.locator("#report-actions")).to_be_visible()
    await page.click("#report-copy")
    await expect(page.locator("#report-copied")).to_have_text("Copied the Markdown")
    assert await clipboard(page) == REPORT_MD
    async with page.expect_download() as info:
        await page.click("#report-download")
    download = await info.value
    assert download.suggested_filename == f"report-{session.id}-{session.last_seq - 1}.md"
    assert (await download.path()).read_text() == REPORT_MD

    # A share-link reader may copy and download it too (the token rides along).
    reader = await open_page(browser, daphne_url, watch)
    await reader.goto(f"{daphne_url}/sessions/{session.id}/replay/?token={session.share_token}")
    await expect(reader.locator("#player")).to_have_attribute("data-state", "ready")
    await reader.select_option("#speed", "instant")
    await reader.click("#report-copy")
    await expect(reader.locator("#report-copied")).to_have_text("Copied the Markdown")
    assert await clipboard(reader) == REPORT_MD
