"""Keyword extraction as plain Python: dictionary terms stay whole, stop words go, counts and
sentences on a hand-made case."""

from types import SimpleNamespace

from reports.terms.extract import STOPWORDS, dictionary_terms, sentences, top_terms, words
from reports.terms.groups import sentences_of, term_groups


def test_party_building_terms_stay_whole():
    text = (
        "落实三会一课和第一议题制度，压实一岗双责，探索党建＋N模式，开展主题党日、"
        "两学一做学习教育，争创四强党支部，打造党建品牌。"
    )
    found = words(text)
    for term in (
        "三会一课",
        "第一议题",
        "一岗双责",
        "党建+N",
        "主题党日",
        "两学一做",
        "四强党支部",
        "党建品牌",
    ):
        assert term in found, term
    assert "三会" not in found and "一课" not in found and "党建" not in found


def test_every_dictionary_term_survives_segmentation_on_its_own_and_in_a_sentence():
    for term in dictionary_terms():
        assert words(f"我们要把{term}落到实处").count(term) == 1, term


def test_stop_words_single_characters_numbers_and_punctuation_are_dropped():
    found = words("进一步加强的工作，开展了12次“三会一课”！")
    assert found == ["三会一课"]
    assert {"的", "进一步", "工作", "开展"} <= STOPWORDS


def test_counts_on_a_hand_made_case():
    texts = [
        "三会一课质量不高，三会一课流于形式。",
        "主题党日结合业务，三会一课按时开。",
        "主题党日形式单一。",
    ]
    terms = {t.term: (t.count, t.answers) for t in top_terms(texts)}
    assert terms["三会一课"] == (3, 2)
    assert terms["主题党日"] == (2, 2)
    assert terms["形式"] == (1, 1)
    assert [t.term for t in top_terms(texts, n=2)] == ["三会一课", "主题党日"]


def test_sentences_and_the_sentences_containing_a_term():
    assert sentences("一是学。二是做；三是改\n四是评！") == [
        "一是学。",
        "二是做；",
        "三是改",
        "四是评！",
    ]
    answers = [
        SimpleNamespace(
            branch="甲支部",
            text="落实第一议题。党建品牌有特色。",
            slot="practice",
            question_code="XYT1",
            label="学用结合·典型做法",
            main_cause="xuhua",
        ),
        SimpleNamespace(
            branch="乙支部",
            text="第一议题学习不深。",
            slot="problem",
            question_code="XYT2",
            label="学用结合·存在问题",
            main_cause="ruohua",
        ),
    ]
    found = [(a.branch, s) for a, s in sentences_of("第一议题", answers)]
    assert found == [("甲支部", "落实第一议题。"), ("乙支部", "第一议题学习不深。")]
    # "党建" is not a word of "党建品牌有特色。": no partial matches.
    assert sentences_of("党建", answers) == []
    groups = {g.key: g for g in term_groups(answers)}
    assert set(groups) == {
        "all",
        "slot-practice",
        "slot-problem",
        "q-XYT1",
        "q-XYT2",
        "cause-xuhua",
        "cause-ruohua",
    }
    assert {t.term for t in groups["cause-ruohua"].terms} == {"第一议题", "学习", "不深"}
