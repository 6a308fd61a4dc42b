"""streaming/site/views/pages.py: the session list and form, live page, replay and report."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import reverse

from streaming import flush
from streaming.log.models import Session, SessionStatus
from tests.conftest import make_session
from tests.sessions import wait_for_status
from tests.streaming.site.conftest import store_timeline

XSS = "<img src=x onerror=alert(1)>"


def page_config(response) -> dict:
    match = re.search(
        r'<script id="page-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries its data in a json_script block"
    return json.loads(match.group(1))


def live(session, **query) -> str:
    suffix = "".join(f"?{k}={v}" for k, v in query.items())
    return reverse("session-page", args=[session.id]) + suffix


def replay(session, **query) -> str:
    suffix = "".join(f"?{k}={v}" for k, v in query.items())
    return reverse("session-replay", args=[session.id]) + suffix


# -- the session list and the form ------------------------------------------------------------


@pytest.mark.django_db
def test_home_redirects_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_home_lists_only_the_users_own_sessions(client, user, other_user):
    mine = make_session(user, query="mine: map the imports")
    store_timeline(mine)
    make_session(other_user, query="theirs: secret")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "mine: map the imports" in body
    assert "theirs: secret" not in body
    row = re.search(rf'<tr data-session="{mine.id}">(.*?)</tr>', body, re.S).group(1)
    assert 'data-status="completed"' in row
    assert f">{mine.last_seq}</td>" in row  # the event count
    assert reverse("session-replay", args=[mine.id]) in row


@pytest.mark.django_db
def test_home_form_offers_the_workspaces_under_the_root(client, user):
    client.force_login(user)
    response = client.get("/")
    assert '<option value="sample" selected>sample</option>' in response.content.decode()


@pytest.mark.django_db
def test_home_escapes_queries(client, user):
    make_session(user, query=XSS)
    client.force_login(user)
    body = client.get("/").content.decode()
    assert XSS not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_fresh_runner")
async def test_submitting_the_form_starts_a_session_and_opens_its_live_page(async_client, user):
    await async_client.aforce_login(user)
    response = await async_client.post("/", {"query": "Map the sample", "workspace": "sample"})
    assert response.status_code == 302
    session = await Session.objects.aget(owner=user)
    assert response["Location"] == f"/sessions/{session.id}/"
    assert session.query == "Map the sample"
    assert session.workspace == "sample"
    ended = await wait_for_status(session.id)  # launched: the runner runs it to the end
    await flush()
    assert ended.status == SessionStatus.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"query": "", "workspace": "sample"}, "This field is required."),
        ({"query": "   ", "workspace": "sample"}, "This field is required."),
        ({"query": "x", "workspace": "../etc"}, "Select a valid choice."),
        ({"query": "x" * 10_001, "workspace": "sample"}, "at most 10000 characters"),
    ],
)
def test_the_form_refuses_bad_input_without_creating_a_session(client, user, data, error):
    client.force_login(user)
    response = client.post("/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_form_shows_the_rate_limit(client, user, settings):
    settings.AGENTSTREAM_SESSIONS_PER_MINUTE = 1
    make_session(user)
    client.force_login(user)
    response = client.post("/", {"query": "one more", "workspace": "sample"})
    assert response.status_code == 400
    assert "at most 1 new sessions a minute" in response.content.decode()
    assert Session.objects.count() == 1


# -- who may see a session's pages -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", [live, replay])
def test_owner_and_staff_see_the_page_with_controls(client, session, staff_user, page):
    for viewer in (session.owner, staff_user):
        client.force_login(viewer)
        response = client.get(page(session))
        assert response.status_code == 200
        config = page_config(response)
        assert config["sessionId"] == str(session.id)
        assert config["canControl"] is True
        assert "token=" not in config["eventsUrl"]
        assert config["csrfToken"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", [live, replay])
def test_anonymous_without_token_is_sent_to_login(client, session, page):
    response = client.get(page(session))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/sessions/")


@pytest.mark.django_db
@pytest.mark.parametrize("page", [live, replay])
def test_other_users_and_wrong_tokens_get_404(client, session, other_user, page):
    assert client.get(page(session, token="not-the-token")).status_code == 404
    client.force_login(other_user)
    assert client.get(page(session)).status_code == 404
    assert client.get(page(session, token="not-the-token")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("page", [live, replay])
def test_a_share_token_reads_without_login_and_without_controls(client, session, page):
    response = client.get(page(session, token=session.share_token))
    assert response.status_code == 200
    config = page_config(response)
    assert config["canControl"] is False
    assert config["csrfToken"] is None
    for key in ("eventsUrl", "wsUrl", "exportUrl", "reportUrl"):
        assert config[key].endswith(f"?token={session.share_token}"), key
    assert 'id="cancel-button"' not in response.content.decode()


@pytest.mark.django_db
def test_unknown_sessions_and_non_uuids_are_404(client, user):
    client.force_login(user)
    assert client.get(f"/sessions/{uuid.uuid4()}/").status_code == 404
    assert client.get("/sessions/not-a-uuid/").status_code == 404
    assert client.get(f"/sessions/{uuid.uuid4()}/replay/").status_code == 404


@pytest.mark.django_db
def test_pages_refuse_unsafe_methods(client, session):
    client.force_login(session.owner)
    assert client.post(live(session)).status_code == 405
    assert client.post(replay(session)).status_code == 405


# -- what the pages show ----------------------------------------------------------------------


@pytest.mark.django_db
def test_live_page_shows_query_status_and_hooks(client, user):
    session = make_session(user, query=f"Look at {XSS}")
    client.force_login(user)
    response = client.get(live(session))
    body = response.content.decode()
    assert '<span id="session-status" class="status-badge" data-status="pending">' in body
    assert "Look at &lt;img src=x onerror=alert(1)&gt;" in body
    assert XSS not in body.replace("\\u003Cimg", "")  # json_script escapes it too
    assert 'id="cancel-button"' in body
    assert 'id="connection-state"' in body
    assert '<script type="module" src="/static/streaming/live.js">' in body
    config = page_config(response)
    assert config["wsUrl"] == f"ws://testserver/ws/sessions/{session.id}/"
    assert config["eventsUrl"] == f"/api/sessions/{session.id}/events/"
    assert config["cancelUrl"] == f"/api/sessions/{session.id}/cancel/"


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def inline_handlers(body: str) -> list[str]:
    """Return the tags of `body` (outside script elements) with an `on…=` event handler."""
    without_scripts = re.sub(r"<script.*?</script>", "", body, flags=re.S | re.I)
    return [match.group(0) for match in INLINE_HANDLER.finditer(without_scripts)]


def test_the_inline_handler_check_finds_handlers_anywhere_in_a_page():
    page = '<!doctype html><p title="on=">x</p>\n<div>\n<button type=button\n ONCLICK = "go()">'
    assert inline_handlers(page) == ["<button type=button\n ONCLICK ="]
    assert inline_handlers('<input placeholder="look on"><script>x.onclick = f</script>') == []


@pytest.mark.django_db
def test_pages_have_no_inline_scripts(client, finished_session):
    client.force_login(finished_session.owner)
    urls = ("/", live(finished_session), replay(finished_session), "/accounts/logout/")
    for url in urls:
        body = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", body):
            assert 'type="application/json"' in tag or "src=" in tag, tag
        assert inline_handlers(body) == [], url
    client.logout()
    assert inline_handlers(client.get("/accounts/login/").content.decode()) == []


@pytest.mark.django_db
def test_live_page_and_replay_share_their_decision_and_report_cards(client, finished_session):
    client.force_login(finished_session.owner)
    cards = {
        "streaming/_session_header.html",
        "streaming/_decisions.html",
        "streaming/_report.html",
    }
    for url in (live(finished_session), replay(finished_session)):
        response = client.get(url)
        assert cards <= {template.name for template in response.templates}, url
        body = response.content.decode()
        assert body.count('id="decisions"') == 1
        assert body.count('id="report"') == 1


@pytest.mark.django_db
def test_replay_page_has_its_controls(client, finished_session):
    client.force_login(finished_session.owner)
    body = client.get(replay(finished_session)).content.decode()
    for hook in (
        'id="play-button"',
        'id="prev-button"',
        'id="next-button"',
        '<input type="range" id="scrubber"',
        '<option value="16">16\N{MULTIPLICATION SIGN}</option>',
        '<option value="instant">Instant</option>',
        'id="skip-idle" checked',
        'id="filter-agent"',
        'id="filter-phase"',
        'id="filter-search"',
        'id="gantt"',
        'id="export-button"',
        'data-status="completed"',
    ):
        assert hook in body, hook


# -- the report --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_endpoint_renders_the_latest_codesmith_report(client, session):
    client.force_login(session.owner)
    url = reverse("session-report", args=[session.id])
    assert client.get(url).status_code == 404  # none yet
    store_timeline(session, report=f"# Files\n\n- {XSS}\n")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Files</h1>" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img" not in body
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_report_endpoint_picks_a_result_event_by_seq(client, finished_session):
    client.force_login(finished_session.owner)
    url = reverse("session-report", args=[finished_session.id])
    result_seq = finished_session.last_seq - 1  # codesmith's result, before `completed`
    assert client.get(f"{url}?seq={result_seq}").status_code == 200
    assert client.get(f"{url}?seq=1").status_code == 404  # `started` carries no report


@pytest.mark.django_db
@pytest.mark.parametrize(
    "seq", ["\u00b2", "\u0663", "-1", "1.0", "x", "9" * 19, "9" * 5000, "100000"]
)
def test_report_endpoint_refuses_a_seq_that_is_not_one(client, finished_session, seq):
    # "²" and "٣" pass str.isdigit() but not int(); 5,000 digits pass neither int() nor a cursor.
    client.force_login(finished_session.owner)
    url = reverse("session-report", args=[finished_session.id])
    response = client.get(url, {"seq": seq})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_report_endpoint_follows_page_access(client, finished_session, other_user):
    url = reverse("session-report", args=[finished_session.id])
    assert client.get(url).status_code == 302
    assert client.get(f"{url}?token={finished_session.share_token}").status_code == 200
    client.force_login(other_user)
    assert client.get(url).status_code == 404
