"""The office's pages read well: Chinese names and labels, shown values instead of stored
ones, tables that keep names on one line, long lists folded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_audit_filter_names_people_surname_first_and_says_all(client, office, secretary_a):
    client.force_login(office)
    html = client.get(reverse("audit_log")).content.decode()
    assert f'<option value="{secretary_a.pk}">王建国</option>' in html
    assert "建国 王" not in html
    assert "---------" not in html
    assert html.count('<option value="" selected>全部</option>') == 4
