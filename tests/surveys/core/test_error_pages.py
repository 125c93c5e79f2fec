"""With DEBUG off, what a user sees when something fails: Chinese pages in the app's own
look, with a way back, never Django's bare English ones."""

import pytest
from django.test import Client
from django.urls import path, reverse

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_apps_own_chinese_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html and 'href="/"' in html
    assert "bootstrap.min.css" in html and "Server Error" not in html


def test_a_csrf_failure_shows_the_apps_own_chinese_page(office):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office)
    response = browser.post(reverse("round_new"), {"name": "无令牌的提交"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期，本次提交没有生效" in html and "返回首页" in html
    assert "DEBUG" not in html and "CSRF verification failed" not in html
