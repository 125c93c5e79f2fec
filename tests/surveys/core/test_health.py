"""GET /healthz: what the proxy and monitoring ask, without logging in."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthy_app_answers_200_with_each_check_ok(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1, and no session or user read
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_health_needs_no_login_writes_no_session_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_a_signed_in_visit_leaves_the_session_alone(client, office):
    client.force_login(office)
    before = dict(client.session)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert dict(client.session) == before


def test_unreachable_database_answers_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}
    assert b"down" not in response.content  # the cause goes to the log, not to the caller


def test_cache_that_does_not_answer_gives_503(client):
    with mock.patch.object(cache, "get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_health_takes_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
