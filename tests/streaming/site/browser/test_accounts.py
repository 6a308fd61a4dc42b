"""Logging out in a real browser: GET asks on a page styled like the login page, POST logs out."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from tests.conftest import make_user
from tests.streaming.site.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD_LOOK = "n => { const s = getComputedStyle(n); return [s.backgroundColor, s.borderRadius]; }"


async def test_logout_asks_first_then_logs_out(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    page = await new_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/accounts/logout/")
    card = page.locator("main .auth-card")
    await expect(card.locator("h1")).to_have_text("Log out")
    await expect(card).to_contain_text("You are logged in as alice")
    look = await card.evaluate(CARD_LOOK)
    assert look[1] != "0px"  # the app's stylesheet styles it as a card
    await watch.shot(page, "logout-confirm")
    await card.locator("button[type=submit]").click()
    await expect(page).to_have_url(f"{daphne_url}/accounts/login/")  # LOGOUT_REDIRECT_URL
    assert await page.locator("main .auth-card").evaluate(CARD_LOOK) == look  # the same card
    await page.goto(f"{daphne_url}/")
    await expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))  # logged out
    await page.goto(f"{daphne_url}/accounts/logout/")  # logged out: a way back in, not a form
    await expect(page.locator("main .auth-card")).to_contain_text("You are not logged in.")
    await expect(page.locator("main form")).to_have_count(0)
