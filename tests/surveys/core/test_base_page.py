"""The frame every page shares: the signed-in user's own links, and fonts served by the app."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["office", "secretary_a"])
def test_every_user_can_reach_their_own_password_change(client, request, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("password_change")}"' in html and "修改密码" in html


def test_page_text_falls_back_to_the_bundled_cjk_font(client, office):
    """A PC without any Chinese font would show boxes; the app serves its own as a last
    resort, from its own static files (no internet on an intranet)."""
    client.force_login(office)
    html = client.get(reverse("office_home")).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]*fonts\.css)"', html).group(1)
    css = b"".join(client.get(href).streaming_content).decode()
    assert '"Ronghe CJK"' in css.split("--bs-font-sans-serif", 1)[1]
    font_url = re.search(r'url\("([^"]+\.ttf)"\)', css).group(1)
    font = client.get(href.rsplit("/", 2)[0] + "/" + font_url.removeprefix("../"))
    assert font.status_code == 200
    assert b"".join(font.streaming_content)[:4] == b"\x00\x01\x00\x00"  # a TrueType font


def test_django_own_strings_are_chinese_for_an_english_browser(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in html and "密码" in html
    assert "Username" not in html and "Password" not in html
    response = client.post(reverse("login"), {}, HTTP_ACCEPT_LANGUAGE="en-US")
    assert "这个字段是必填项" in response.content.decode()
