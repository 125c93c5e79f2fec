"""Chinese everywhere and consistent: 您 not 你, one date format, the admin in the bundled
CJK font, bold that the bundled font can show, and Chinese pages for a POST-only URL opened
directly and for the demo's 404."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_round, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def texts(*globs):
    for pattern in globs:
        for path in sorted(ROOT.glob(pattern)):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def test_users_are_addressed_as_nin_everywhere():
    found = [
        str(path.relative_to(ROOT))
        for path, text in texts("templates/**/*.html", "surveys/**/*.py", "reports/**/*.py")
        if "你" in text
    ]
    found += [str(p.relative_to(ROOT)) for p, t in texts("static/js/*.js") if "你" in t]
    assert found == []


def test_templates_show_dates_in_the_one_locale_format():
    literal = re.compile(r'\|date:"(?!DATETIME_FORMAT"|DATE_FORMAT")[^"]*"')
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path, text in texts("templates/**/*.html")
        for m in literal.finditer(text)
    ]
    assert found == []


def test_a_page_shows_a_moment_as_year_month_day_hour_minute(client, office, questionnaire):
    opens = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 30))
    round_ = make_round(questionnaire, [], opens_at=opens, closes_at=opens + dt.timedelta(days=9))
    client.force_login(office)
    html = client.get(reverse("office_round", args=[round_.pk])).content.decode()
    assert "2026年12月1日 14:30 至 2026年12月10日 14:30" in html
    assert "2026-12-01" not in html


def test_the_admin_pages_load_the_bundled_cjk_font(client):
    admin = make_user("admin_user", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in (reverse("admin:index"), reverse("admin:login")):
        html = client.get(url, follow=True).content.decode()
        assert '<link rel="stylesheet" href="/static/css/fonts.css">' in html
    css = (ROOT / "static/css/fonts.css").read_text(encoding="utf-8")
    # The admin's font stack (it starts with system-ui, which never reaches the bundled face)
    # is replaced by the app's, in which the bundled face comes before system-ui.
    assert "--font-family-primary: var(--bs-font-sans-serif);" in css
    stack = re.search(r"--bs-font-sans-serif:([^;]*);", css).group(1)
    assert stack.index('"Ronghe CJK"') < stack.index("system-ui")


def test_the_bundled_face_is_declared_regular_so_bold_is_synthesised():
    css = (ROOT / "static/css/fonts.css").read_text(encoding="utf-8")
    face = re.search(r"@font-face\s*{([^}]*)}", css).group(1)
    weight = re.search(r"font-weight:\s*([^;]*);", face).group(1).strip()
    assert weight in ("400", "normal")  # a range (100 900) would claim bold and stop synthesis
    ours = css + (ROOT / "static/css/ronghe.css").read_text(encoding="utf-8")
    assert not re.search(r"font-synthesis\s*:\s*(none|style)", ours)


@pytest.fixture
def round_(questionnaire, branch_a):
    now = timezone.now()
    return make_round(questionnaire, [branch_a], opens_at=now, closes_at=now + dt.timedelta(days=9))


def test_a_post_only_url_opened_directly_shows_a_chinese_page_with_a_way_back(
    client, office, round_
):
    client.force_login(office)
    response = client.get(reverse("round_close", args=[round_.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "这个地址不能直接打开" in html
    assert f'href="{reverse("office_round", args=[round_.pk])}"' in html and "返回原页面" in html
    assert 'href="/"' in html
    assert round_.status == round_.Status.OPEN  # nothing was done


def test_the_405_page_without_a_page_above_offers_the_home_page(client, office):
    client.force_login(office)
    response = client.get(reverse("logout"))  # Django's LogoutView takes POST only
    assert response.status_code == 405
    html = response.content.decode()
    assert "这个地址不能直接打开" in html and 'href="/"' in html


def test_the_demo_running_with_debug_shows_the_apps_chinese_404(client, office, settings):
    settings.DEBUG = True
    settings.RONGHE_DEMO = True
    client.force_login(office)
    for url in ("/no-such-page/", reverse("office_round", args=[999])):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html and "返回首页" in html
        assert "DEBUG = True" not in html and "Page not found" not in html


def test_debug_without_the_demo_keeps_djangos_technical_404_for_developers(client, settings):
    settings.DEBUG = True
    settings.RONGHE_DEMO = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" not in response.content.decode()
