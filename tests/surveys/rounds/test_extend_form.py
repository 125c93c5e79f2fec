"""延期 on the round page: the form starts at the current deadline (the round's, or the
branch's own), marks its required reason, and a post without one says what is missing."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.rounds.models import RosterEntry

pytestmark = pytest.mark.django_db


def local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_extension_forms_start_at_the_current_deadlines(client, office, open_round, branch_a):
    own = open_round.closes_at + dt.timedelta(days=3)
    RosterEntry.objects.filter(round=open_round, branch=branch_a).update(
        closes_at_override=own, override_reason="防汛"
    )
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert re.search(rf'id="ext-closes" value="{local(open_round.closes_at)}" required', html)
    assert f'id="extend-closes-{branch_a.pk}" value="{local(own)}" required' in html


def test_extension_reason_is_marked_required(client, office, open_round):
    client.force_login(office)
    html = client.get(reverse("office_round", args=[open_round.pk])).content.decode()
    assert 'for="ext-reason">延期原因<span class="text-danger">*必填</span></label>' in html
    assert re.search(r'<input[^>]*id="ext-reason"[^>]*required', html)


def test_extension_without_a_reason_says_so_and_changes_nothing(client, office, open_round):
    client.force_login(office)
    later = local(open_round.closes_at + dt.timedelta(days=2))
    response = client.post(
        reverse("round_extend", args=[open_round.pk]),
        {"closes_at": later, "reason": "  "},
        follow=True,
    )
    assert "请填写延期原因。" in response.content.decode()
    closes_at = open_round.closes_at
    open_round.refresh_from_db()
    assert open_round.closes_at == closes_at
