"""A round's free text cut three ways, each way a list of groups with its top terms:
by kind of question (典型做法 / 存在问题 / 下一步举措, all dimensions together), by question,
and by cause (the texts of branches whose main cause is 虚化, 弱化 or 分化). Pure: it takes
the answers (reports.terms.selectors.TextAnswer or anything with the same attributes)."""

from dataclasses import dataclass, field

from reports.terms.extract import rank_terms, sentences_with, words

SLOT_LABELS = {"practice": "典型做法", "problem": "存在问题", "next": "下一步举措"}
CAUSE_LABELS = {"xuhua": "虚化", "ruohua": "弱化", "fenhua": "分化"}
TOP = 20


@dataclass
class Group:
    key: str  # in the page's URL: "all", "slot-problem", "q-XYT2", "cause-ruohua"
    label: str
    way: str  # "全部" / "按题型" / "按题目" / "按成因"
    answers: list = field(default_factory=list)
    terms: list = field(default_factory=list)


def term_groups(answers, top=TOP):
    """Every group that has answers, in a fixed order, each with its ``top`` terms."""
    answers = list(answers)
    groups = [Group("all", "全部文字答案", "全部", answers)]
    for slot, label in SLOT_LABELS.items():
        groups.append(
            Group(f"slot-{slot}", label, "按题型", [a for a in answers if a.slot == slot])
        )
    by_question = {}
    for answer in answers:
        if answer.question_code not in by_question:
            by_question[answer.question_code] = Group(
                f"q-{answer.question_code}", answer.label, "按题目"
            )
        by_question[answer.question_code].answers.append(answer)
    groups.extend(by_question.values())
    for tag, label in CAUSE_LABELS.items():
        groups.append(
            Group(
                f"cause-{tag}",
                f"主要成因为{label}的支部",
                "按成因",
                [a for a in answers if a.main_cause == tag],
            )
        )
    groups = [g for g in groups if g.answers]
    # Each answer is in four groups: cut it into words once.
    words_of = {id(a): words(a.text) for a in answers}
    for group in groups:
        group.terms = rank_terms((words_of[id(a)] for a in group.answers), top)
    return groups


def sentences_of(term, answers):
    """``[(answer, sentence)]``: the sentences of ``answers`` that contain ``term``."""
    return sentences_with(term, [(a, a.text) for a in answers])
