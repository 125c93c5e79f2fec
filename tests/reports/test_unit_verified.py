"""The unit page after 考评: the self-assessed means beside the counted (verified) ones, per
dimension and for the index; and the unit's top free-text terms with a link to the full
keywords page for that unit."""

import pytest
from django.urls import reverse

from reports import selectors
from reports.models import SubmissionScore
from reports.scoring import round2
from surveys.organisation.models import Branch, User
from surveys.questionnaires.models import Dimension, Question
from surveys.rounds.models import RosterEntry
from tests.conftest import make_user
from tests.helpers import submit
from tests.surveys.verification.conftest import plain_likert, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a_submitted(client, open_round, questionnaire, unit_a, secretary_a, secretary_b):
    """Unit A: two branches, all 4s, one of them with a text answer; unit B all 4s."""
    second = Branch.objects.create(unit=unit_a, code="U-A-2", name="县水利局第二党支部")
    RosterEntry.objects.create(round=open_round, branch=second)
    secretary = make_user("sec_a2", role=User.Role.SECRETARY, branch=second)
    a = submit(
        client,
        secretary_a,
        open_round,
        questionnaire,
        likert="4",
        answers={"XYT1": "落实“三会一课”制度。三会一课按季度开展，三会一课有记录。"},
    )
    a2 = submit(client, secretary, open_round, questionnaire, likert="4")
    submit(client, secretary_b, open_round, questionnaire, likert="4", answers={"XYT1": "主题党日"})
    return a, a2


def _page(client, office, round_, unit):
    client.force_login(office)
    return client.get(reverse("unit_detail", args=[round_.pk, unit.pk])).content.decode()


def _dimension_table(html):
    return html.split('id="unit-dimensions"', 1)[1].split("</table>", 1)[0]


def test_before_any_verification_the_page_has_no_self_column(
    client, office, unit_a_submitted, open_round, unit_a
):
    html = _page(client, office, open_round, unit_a)
    assert "自评" not in _dimension_table(html) and 'id="unit-verified-index"' not in html


def test_a_verified_unit_shows_self_beside_verified_per_dimension(
    client, office, unit_a_submitted, open_round, questionnaire, unit_a
):
    a, a2 = unit_a_submitted
    item = plain_likert(questionnaire)
    assert verify(client, office, a, {item.code: ("1", "无会议记录")}).status_code == 302
    own = SubmissionScore.objects.get(submission=a2)  # unverified: self == counted
    # By hand: a 4 scores 75 and a 1 scores 0; branch A's dimension falls by the item's share
    # of 75 points, the unit's mean (two branches) by half of that; the self means stay.
    siblings = Question.objects.filter(dimension=item.dimension).exclude(kind=Question.Kind.TEXT)
    dim_drop = 75 * item.weight / sum(q.weight for q in siblings)
    total = sum(
        Dimension.objects.filter(questionnaire=questionnaire).values_list("weight", flat=True)
    )
    index_drop = dim_drop * item.dimension.weight / total
    code = item.dimension.code

    html = _page(client, office, open_round, unit_a)
    table = _dimension_table(html)
    assert "本单位<span" in table and "（考评后）" in table and ">自评</th>" in table
    row = table.split(f"<td>{item.dimension.name}</td>", 1)[1].split("</tr>", 1)[0]
    verified = round2(own.self_dimensions[code] - dim_drop / 2)
    assert row.startswith(f"<td>{verified:.2f}</td><td>{own.self_dimensions[code]:.2f}</td>")
    assert (
        f"考评后 {round2(own.self_index - index_drop / 2):.2f}（自评 {own.self_index:.2f}）"
    ) in html


def test_self_scores_are_one_query(
    client, office, unit_a_submitted, open_round, questionnaire, unit_a, django_assert_num_queries
):
    a, _a2 = unit_a_submitted
    verify(client, office, a, {plain_likert(questionnaire).code: ("1", "无会议记录")})
    with django_assert_num_queries(1):
        own = selectors.unit_self_scores(open_round, unit_a)
    assert own.verified == 1


def test_the_unit_page_lists_its_top_terms_and_links_to_the_keywords_page(
    client, office, unit_a_submitted, open_round, unit_a
):
    html = _page(client, office, open_round, unit_a)
    card = html.split('id="unit-terms"', 1)[1].split("</section>", 1)[0]
    terms_url = reverse("round_terms", args=[open_round.pk])
    assert f'href="{terms_url}?unit={unit_a.pk}"' in card
    # the dictionary term stays whole, counted three times in one answer; unit B's text is not here
    assert ">三会一课</a></td><td>3</td><td>1</td>" in card
    assert f'href="{terms_url}?unit={unit_a.pk}&amp;group=all&amp;term=' in card
    assert "主题党日" not in card
