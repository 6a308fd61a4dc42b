"""The JSON API: sessions (list, create, detail), workflows, events, cancel."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from streaming.log.models import Session
from streaming.runs.models import Run
from tests.conftest import make_session, make_user
from tests.streaming.conftest import emit_events, store
from tests.streaming.site.conftest import client_for, csrf_headers, error_code, post_json

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


QUICK = "tests.streaming.runs.workflows.quick_workflow"

SESSION_KEYS = {
    "id",
    "query",
    "workspace",
    "workflow",
    "status",
    "created_at",
    "last_seq",
    "page_url",
    "replay_url",
    "ws_url",
    "stream_url",
    "events_url",
    "export_url",
}


@pytest.fixture
def worker_mode(settings):
    """`launch` only rings the worker channel: no workflow runs inside these tests."""
    settings.AGENTSTREAM_RUNNER = "worker"


# -- create --------------------------------------------------------------------------------------


async def test_create_returns_201_with_the_session_object(user, worker_mode):
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", {"query": "Map it", "workspace": "sample"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == SESSION_KEYS | {"share_token"}
    assert body["query"] == "Map it"
    assert body["workspace"] == "sample"
    assert body["status"] == "pending"
    assert body["last_seq"] == 0
    assert body["ws_url"] == f"ws://testserver/ws/sessions/{body['id']}/"
    assert body["stream_url"].endswith(f"/api/sessions/{body['id']}/stream/")
    assert body["export_url"].endswith(f"/api/sessions/{body['id']}/export.jsonl")
    assert body["workflow"] == "survey"
    session = await Session.objects.aget(pk=body["id"])
    assert session.owner_id == user.pk
    assert session.share_token == body["share_token"]
    assert (await Run.objects.aget(session_id=session.pk)).workflow == "survey"


async def test_create_runs_the_named_workflow_and_refuses_an_unknown_one(
    user, worker_mode, settings
):
    settings.AGENTSTREAM_WORKFLOWS = {**settings.AGENTSTREAM_WORKFLOWS, "other": QUICK}
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", {"query": "q", "workflow": "other"})
    assert response.status_code == 201
    assert response.json()["workflow"] == "other"
    for bad in ("nope", 7, ""):
        response = await post_json(client, "/api/sessions/", {"query": "q", "workflow": bad})
        assert response.status_code == 400
        assert error_code(response) == "bad_workflow"
    assert await Session.objects.filter(owner=user).acount() == 1


async def test_workflows_lists_each_registered_workflow_with_its_lanes(user, settings):
    settings.AGENTSTREAM_WORKFLOWS = {**settings.AGENTSTREAM_WORKFLOWS, "other": QUICK}
    client = await client_for(user)
    response = await client.get("/api/workflows/")
    assert response.status_code == 200
    workflows = {w["name"]: w for w in response.json()["workflows"]}
    assert list(workflows) == ["survey", "other"]
    survey = workflows["survey"]
    assert [lane["name"] for lane in survey["lanes"]] == [
        "supervisor",
        "research",
        "architect",
        "codesmith",
        "reviewer",
    ]
    assert all(lane["label"] and lane["color"].startswith("#") for lane in survey["lanes"])
    assert survey["report_lane"] == "codesmith"
    assert workflows["other"] == {
        "name": "other",
        "description": "",
        "lanes": [],
        "report_lane": None,
    }
    anonymous = await client_for()
    assert (await anonymous.get("/api/workflows/")).status_code == 403
    assert (
        await client.post("/api/workflows/", headers=await csrf_headers(client))
    ).status_code == 405


async def test_create_without_workspace_uses_sample(user, worker_mode):
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", {"query": "q"})
    assert response.status_code == 201
    assert response.json()["workspace"] == "sample"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "bad_json"),
        (b"", "bad_json"),
        (b"[1]", "bad_json"),
        (b'"query"', "bad_json"),
        (b"[" * 100_000 + b"]" * 100_000, "bad_json"),
        ({}, "bad_query"),
        ({"query": ""}, "bad_query"),
        ({"query": "   "}, "bad_query"),
        ({"query": 5}, "bad_query"),
        ({"query": ["a"]}, "bad_query"),
        ({"query": "x" * 10_001}, "bad_query"),
        ({"query": "a\x00b"}, "bad_query"),
        ({"query": "q", "workspace": ".."}, "bad_workspace"),
        ({"query": "q", "workspace": "/etc"}, "bad_workspace"),
        ({"query": "q", "workspace": "no-such-workspace"}, "bad_workspace"),
        ({"query": "q", "workspace": 7}, "bad_workspace"),
        ({"query": "q", "workspace": "sample/../sample"}, "bad_workspace"),
    ],
)
async def test_create_refuses_bad_input_with_400(body, code, user, worker_mode):
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", body)
    assert response.status_code == 400
    assert error_code(response) == code
    assert await Session.objects.acount() == 0


async def test_a_query_of_10000_characters_is_accepted(user, worker_mode):
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", {"query": "x" * 10_000})
    assert response.status_code == 201


async def test_bodies_over_1_mib_are_413(user, worker_mode):
    client = await client_for(user)
    response = await post_json(client, "/api/sessions/", {"query": "q", "pad": "x" * (1 << 20)})
    assert response.status_code == 413
    assert error_code(response) == "too_large"


async def test_anonymous_create_is_403_and_without_csrf_403_csrf(worker_mode, user):
    anonymous = await client_for()
    response = await post_json(anonymous, "/api/sessions/", {"query": "q"})
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    logged_in = await client_for(user)
    response = await logged_in.post(
        "/api/sessions/", data={"query": "q"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert error_code(response) == "csrf"
    assert await Session.objects.acount() == 0


async def test_rate_limit_is_429_and_refused_requests_do_not_count(settings, user, worker_mode):
    settings.AGENTSTREAM_SESSIONS_PER_MINUTE = 3
    client = await client_for(user)
    for _ in range(3):
        assert (await post_json(client, "/api/sessions/", {"query": "q"})).status_code == 201
    for _ in range(4):
        response = await post_json(client, "/api/sessions/", {"query": "q"})
        assert response.status_code == 429
        assert error_code(response) == "rate_limited"
        assert 1 <= int(response["Retry-After"]) <= 60
    assert await Session.objects.acount() == 3
    # A minute later the three have aged out; the seven refused requests left no trace.
    await Session.objects.all().aupdate(created_at=timezone.now() - timedelta(minutes=2))
    for _ in range(3):
        assert (await post_json(client, "/api/sessions/", {"query": "q"})).status_code == 201
    assert (await post_json(client, "/api/sessions/", {"query": "q"})).status_code == 429
    other = await client_for(await sync_to_async(make_user)("bob"))
    assert (await post_json(other, "/api/sessions/", {"query": "q"})).status_code == 201


# -- list and detail -----------------------------------------------------------------------------


async def test_list_is_newest_first_paged_and_only_the_callers(user, other_user):
    mine = []
    for n in range(5):
        session = await sync_to_async(make_session)(user, query=f"q{n}")
        await Session.objects.filter(pk=session.pk).aupdate(
            created_at=timezone.now() - timedelta(seconds=10 - n)
        )
        mine.append(str(session.id))
    await sync_to_async(make_session)(other_user)
    client = await client_for(user)
    body = (await client.get("/api/sessions/")).json()
    assert [s["id"] for s in body["sessions"]] == mine[::-1]
    assert all(set(s) == SESSION_KEYS | {"share_token"} for s in body["sessions"])
    page = (await client.get("/api/sessions/?limit=2")).json()["sessions"]
    assert [s["id"] for s in page] == mine[:2:-1]
    before = page[-1]["created_at"]
    page = (await client.get(f"/api/sessions/?limit=2&before={before}")).json()["sessions"]
    assert [s["id"] for s in page] == mine[2:0:-1]
    assert len((await client.get("/api/sessions/?limit=100000")).json()["sessions"]) == 5


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "bad_limit"),
        ("limit=-1", "bad_limit"),
        ("limit=x", "bad_limit"),
        ("limit=", "bad_limit"),
        ("before=yesterday", "bad_cursor"),
        ("before=", "bad_cursor"),
    ],
)
async def test_list_refuses_bad_paging(query, code, user):
    client = await client_for(user)
    response = await client.get(f"/api/sessions/?{query}")
    assert response.status_code == 400
    assert error_code(response) == code


async def test_list_needs_a_login():
    response = await (await client_for()).get("/api/sessions/")
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


async def test_detail_shows_the_token_to_owner_and_staff_only(user, staff_user):
    session = await sync_to_async(make_session)(user)
    path = f"/api/sessions/{session.id}/"
    owner = (await (await client_for(user)).get(path)).json()
    assert owner["share_token"] == session.share_token
    assert set(owner) == SESSION_KEYS | {"share_token"}
    staff = (await (await client_for(staff_user)).get(path)).json()
    assert staff["share_token"] == session.share_token
    reader = await (await client_for()).get(f"{path}?token={session.share_token}")
    assert reader.status_code == 200
    assert set(reader.json()) == SESSION_KEYS
    assert session.share_token not in reader.content.decode()


# -- other users' sessions on every endpoint -----------------------------------------------------

ENDPOINTS = [
    ("get", "/api/sessions/{id}/"),
    ("get", "/api/sessions/{id}/events/"),
    ("get", "/api/sessions/{id}/stream/"),
    ("get", "/api/sessions/{id}/export.jsonl"),
    ("get", "/events?session_id={id}"),
    ("post", "/api/sessions/{id}/cancel/"),
]


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
@pytest.mark.parametrize("who", ["other_user", "anonymous", "bad_token", "unknown_id", "not_uuid"])
async def test_no_read_access_is_404_on_every_endpoint(method, template, who, user, other_user):
    session = await sync_to_async(make_session)(user)
    sid = str(session.id)
    client = await client_for(other_user if who == "other_user" else None)
    if who == "unknown_id":
        client = await client_for(user)
        sid = str(uuid.uuid4())
    elif who == "not_uuid":
        client = await client_for(user)
        sid = "12345"
    path = template.format(id=sid)
    if who == "bad_token":
        path += ("&" if "?" in path else "?") + "token=" + "A" * len(session.share_token)
    if method == "get":
        response = await client.get(path)
    else:
        response = await client.post(path, headers=await csrf_headers(client))
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert (await Run.objects.aget(session_id=session.pk)).cancel_requested_at is None


async def test_a_share_token_cannot_cancel(user):
    session = await sync_to_async(make_session)(user)
    client = await client_for()
    response = await client.post(
        f"/api/sessions/{session.id}/cancel/?token={session.share_token}",
        headers=await csrf_headers(client),
    )
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert (await Run.objects.aget(session_id=session.pk)).cancel_requested_at is None


# -- events --------------------------------------------------------------------------------------


async def test_events_pages_with_after_and_limit(user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 9, end=None)  # 1..10, running
    client = await client_for(user)
    path = f"/api/sessions/{session.id}/events/"
    body = (await client.get(path)).json()
    assert [e["seq"] for e in body["events"]] == list(range(1, 11))
    assert body["last_seq"] == 10
    assert body["status"] == "pending"
    assert body["has_more"] is False
    body = (await client.get(f"{path}?after=3&limit=4")).json()
    assert [e["seq"] for e in body["events"]] == [4, 5, 6, 7]
    assert body["has_more"] is True
    assert body["events"][0]["sid"] == str(session.id)
    body = (await client.get(f"{path}?after=10")).json()
    assert body["events"] == []
    assert body["has_more"] is False
    reader = await client_for()
    body = (await reader.get(f"{path}?token={session.share_token}&limit=99999")).json()
    assert len(body["events"]) == 10


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("after=x", "bad_cursor"),
        ("after=-1", "bad_cursor"),
        ("after=11", "bad_cursor"),
        ("after=1.0", "bad_cursor"),
        ("after=", "bad_cursor"),
        ("limit=0", "bad_limit"),
        ("limit=-5", "bad_limit"),
        ("limit=abc", "bad_limit"),
        ("limit=1e3", "bad_limit"),
    ],
)
async def test_events_refuse_bad_cursors_and_limits(query, code, user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 8)  # last_seq 10
    response = await (await client_for(user)).get(f"/api/sessions/{session.id}/events/?{query}")
    assert response.status_code == 400
    assert error_code(response) == code


async def test_events_limit_is_capped_at_5000(user):
    session = await sync_to_async(make_session)(user)
    await store(session.id, 5_100)
    client = await client_for(user)
    body = (await client.get(f"/api/sessions/{session.id}/events/?limit=6000")).json()
    assert len(body["events"]) == 5_000
    assert body["has_more"] is True


# -- cancel ---------------------------------------------------------------------------------------


async def test_cancel_is_202_and_idempotent(user):
    session = await sync_to_async(make_session)(user)
    client = await client_for(user)
    path = f"/api/sessions/{session.id}/cancel/"
    response = await client.post(path, headers=await csrf_headers(client))
    assert response.status_code == 202
    refreshed = await Session.objects.aget(pk=session.pk)
    assert refreshed.status == "cancelled"
    assert refreshed.last_seq == 2
    again = await client.post(path, headers=await csrf_headers(client))
    assert again.status_code == 202
    assert again.json()["status"] == "cancelled"
    assert (await Session.objects.aget(pk=session.pk)).last_seq == 2
    assert (await client.get(path)).status_code == 405


async def test_cancel_of_an_ended_session_leaves_it_as_it_is(user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 1)
    client = await client_for(user)
    response = await client.post(
        f"/api/sessions/{session.id}/cancel/", headers=await csrf_headers(client)
    )
    assert response.status_code == 202
    assert response.json()["status"] == "completed"


async def test_a_database_outage_is_a_fast_503_not_a_500(user, monkeypatch, caplog):
    """The access read fails as it does while PostgreSQL is down (the pool gives up)."""
    from django.db import OperationalError

    from streaming.log import outages

    session = await sync_to_async(make_session)(user)
    client = await client_for(user)

    def unavailable(*args, **kwargs):
        raise OperationalError("couldn't get a connection after 3.00 sec")

    monkeypatch.setattr("streaming.site.views.api.get_access", unavailable)
    try:
        for path in (f"/api/sessions/{session.id}/", f"/api/sessions/{session.id}/stream/"):
            response = await client.get(path)
            assert response.status_code == 503
            assert error_code(response) == "unavailable"
        assert [r.levelname for r in caplog.records if r.name == "streaming.log.outages"] == [
            "WARNING"
        ]
    finally:
        outages.database.recovered()


async def test_a_pruned_session_is_410_gone_to_those_who_may_read_it(user, other_user):
    from django.utils import timezone

    session = await sync_to_async(make_session)(user, status="completed")
    await Session.objects.filter(pk=session.pk).aupdate(
        ended_at=timezone.now(), pruned_at=timezone.now()
    )
    owner = await client_for(user)
    for path in ("", "events/", "stream/", "export.jsonl"):
        response = await owner.get(f"/api/sessions/{session.id}/{path}")
        assert response.status_code == 410, path
        assert error_code(response) == "gone"
    page = await owner.get(f"/sessions/{session.id}/")
    assert page.status_code == 410
    assert b"pruned" in page.content
    stranger = await client_for(other_user)
    assert (await stranger.get(f"/api/sessions/{session.id}/")).status_code == 404
