"""Deployment settings: the HTTPS switch, the proxy header trusted only from the configured
proxies, the security headers (CSP, Permissions-Policy) and `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.helpers import submit

ROOT = Path(__file__).resolve().parents[3]
PROXY = "10.0.0.5"
CLIENT = "203.0.113.9"

CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


@pytest.fixture
def behind_proxy(settings):
    """Settings as DJANGO_HTTPS=1 RONGHE_TRUSTED_PROXIES=10.0.0.5 make them."""
    settings.RONGHE_TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000


def test_forged_https_header_from_a_client_is_ignored(client, behind_proxy):
    response = client.get(
        "/login/",
        REMOTE_ADDR=CLIENT,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    # Still plain HTTP to Django: sent to HTTPS, and the forged headers never reach a view.
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    assert "HTTP_X_FORWARDED_PROTO" not in response.wsgi_request.META
    assert "HTTP_X_FORWARDED_FOR" not in response.wsgi_request.META


def test_https_header_from_the_proxy_counts(client, behind_proxy):
    response = client.get(
        "/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=CLIENT
    )
    assert response.status_code == 200
    assert response.wsgi_request.is_secure()
    assert response.wsgi_request.META["HTTP_X_FORWARDED_FOR"] == CLIENT
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["csrftoken"]["secure"] is True


def test_plain_http_through_the_proxy_is_sent_to_https(client, behind_proxy):
    response = client.get("/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_a_network_of_proxies_can_be_trusted(client, behind_proxy, settings):
    settings.RONGHE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    response = client.get("/login/", REMOTE_ADDR="10.0.0.77", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_without_configured_proxies_no_forwarded_header_counts(client, settings):
    assert django_settings.RONGHE_TRUSTED_PROXIES == []
    assert django_settings.SECURE_PROXY_SSL_HEADER is None
    response = client.get("/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert not response.wsgi_request.is_secure()
    assert "HTTP_X_FORWARDED_PROTO" not in response.wsgi_request.META


def test_the_monitor_may_ask_over_plain_http(client, behind_proxy, db):
    assert client.get("/healthz", REMOTE_ADDR=CLIENT).status_code == 200


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert set(response["Content-Security-Policy"].split("; ")) == set(CSP)
    assert response["Permissions-Policy"] == (
        "camera=(), geolocation=(), microphone=(), payment=(), usb=()"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_an_svg_chart_opened_alone_keeps_its_style_and_runs_nothing(
    client, office, secretary_a, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire)
    client.force_login(office)
    response = client.get(reverse("round_chart", args=[open_round.pk, "ranking", "svg"]))
    assert response.status_code == 200 and b"<style" in response.content
    policy = set(response["Content-Security-Policy"].split("; "))
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    assert not any(d.startswith("script-src") for d in policy)  # falls back to 'none'


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_templates_have_no_inline_script_style_or_handler(path):
    """The CSP refuses them, so a page that had one would silently lose it."""
    html = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RONGHE_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="ronghe.example.gov.cn",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://ronghe.example.gov.cn",
        DJANGO_HTTPS="1",
        RONGHE_TRUSTED_PROXIES="127.0.0.1",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def check_deploy(env, tmp_path):
    env = {**env, "RONGHE_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    result = check_deploy(production_env(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_the_https_switch(tmp_path):
    result = check_deploy(production_env(DJANGO_HTTPS=None), tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr
