"""Answers for the demo county: a latent level per branch and dimension, and values drawn
around it the way a real secretary would answer (reverse-keyed statements answered
inversely, fact items in line with the level, short free text from the report's phrases).

Every function takes the caller's `random.Random`, so the demo stays deterministic.
"""

from decimal import Decimal

from reports.scoring import NOT_APPLICABLE
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer

# Free-text answers, keyed by dimension and by which of the three text items it is.
PHRASES = {
    ("xueyong", "practice"): [
        "把学习党的创新理论作为支委会第一议题，学后结合业务谈落实",
        "用好“研讨课堂”“现场课堂”，把学习课堂搬到项目现场",
        "每月围绕一个业务难题开展专题研讨，形成解决方案",
        "党员轮流领学，结合岗位撰写学习体会",
        "建立学习清单，学习内容与年度重点工作一一对应",
    ],
    ("xueyong", "problem"): [
        "学习形式较单一，念文件、读报纸的情况仍然存在",
        "个别党员认为学习是“软指标”，重业务轻学习",
        "学习成果转化不够，学用结合的针对性不强",
        "工学矛盾突出，集中学习时间难以保证",
    ],
    ("xueyong", "next"): [
        "完善“五大课堂”长效机制，增加研讨和现场教学",
        "把学习成效纳入党员年度评议，防止“应付式”学习",
        "围绕中心工作确定学习专题，学一次解决一个问题",
        "落实“第一议题”制度，学后制定落实清单",
    ],
    ("zuzhi", "practice"): [
        "主题党日与业务工作同安排，开展“党员进项目”活动",
        "党性分析评议结合年度工作实绩，逐人点评",
        "建立党建主体责任清单，“一岗双责”履职情况纳入述职",
        "“三会一课”前征集业务难题，会上集体研究",
    ],
    ("zuzhi", "problem"): [
        "组织生活重记录、轻效果，存在“留痕不留心”现象",
        "党性分析自评互评质量不高，针对性不强",
        "“一岗双责”落实不够到位，党建与业务各行其是",
        "上传下达多，结合实际研究问题少",
    ],
    ("zuzhi", "next"): [
        "每次组织生活明确一个要解决的实际问题，会后跟踪落实",
        "严格党性分析评议，自评互评与工作实绩挂钩",
        "压实“一岗双责”，党建和业务同部署、同考核",
        "建立组织生活效果评价机制，由党员评议打分",
    ],
    ("huoli", "practice"): [
        "设立党员先锋岗、示范岗，在窗口和项目一线亮身份",
        "探索“党建+N”模式，与项目所在村党支部联建共建",
        "成立项目工作党支部，让党旗飘扬在工地一线",
        "评先评优向业务攻坚一线党员倾斜",
    ],
    ("huoli", "problem"): [
        "部分党员满足于不出错，主动担当意识不强",
        "正向激励措施不多，激励作用不明显",
        "党员先锋作用在日常业务中体现不够",
        "联建共建停留在签协议，实际活动偏少",
    ],
    ("huoli", "next"): [
        "落实激励干部担当作为的措施，把实绩作为评优和使用的重要依据",
        "扩大党员先锋岗覆盖面，定期评星亮绩",
        "围绕重点项目建立临时党支部，把党组织建在一线",
        "完善容错纠错机制，鼓励干部大胆干事",
    ],
}
TEXT_SLOTS = (("典型做法", "practice"), ("存在问题", "problem"), ("下一步", "next"))


def clamp(value, low, high):
    return max(low, min(high, value))


def branch_levels(rng, units, branches, n_dimensions):
    """A latent level (1–5, how well things go) per branch and dimension."""
    by_unit = {}
    for unit in units:
        base = rng.uniform(3.0, 4.6)
        levels = [base + rng.gauss(0, 0.3) for _ in range(n_dimensions)]
        if n_dimensions > 1 and rng.random() < 0.45:
            strong, weak = rng.sample(range(n_dimensions), 2)
            levels[strong] += 0.6
            levels[weak] -= 0.7
        by_unit[unit.pk] = levels
    return {b.pk: [level + rng.gauss(0, 0.2) for level in by_unit[b.unit_id]] for b in branches}


def answer_for(rng, question, level, *, na_possible, slot):
    """One branch's answer to one question, given its level in the question's dimension."""
    kind, share = question.kind, (level - 1) / 4
    # Units without field projects mostly tick "不适用" on items such as 项目党支部.
    if question.allow_na and na_possible and rng.random() < 0.75:
        return NOT_APPLICABLE
    if kind == Question.Kind.LIKERT:
        # A statement of the problem itself is agreed with a little more readily.
        bias = -0.25 if question.reverse_keyed else 0.0
        good = clamp(round(rng.gauss(level + bias, 0.75)), 1, 5)
        return 6 - good if question.reverse_keyed else good
    if kind == Question.Kind.YES_NO:
        good = rng.random() < clamp((level - 1.5) / 3, 0.05, 0.97)
        return good != question.reverse_keyed
    if kind == Question.Kind.NUMBER:
        top = max([band["min"] for band in question.bands] or [question.max_value or 10])
        value = round(max(0.0, rng.gauss(share * top * 1.2, max(0.8, top * 0.2))))
        return min(value, question.max_value) if question.max_value else value
    if kind == Question.Kind.CHOICE:
        ranked = sorted(question.choices, key=lambda c: c["score"])
        pick = clamp(round(share * (len(ranked) - 1) + rng.gauss(0, 0.7)), 0, len(ranked) - 1)
        return ranked[pick]["value"]
    phrases = PHRASES.get((question.dimension.code, slot)) if slot else None
    if not phrases or rng.random() < 0.25:
        return None
    return "；".join(rng.sample(phrases, rng.choice((1, 1, 2)))) + "。"


def text_slot(question):
    return next((slot for word, slot in TEXT_SLOTS if word in question.text), None)


def answer_row(question, value):
    row = Answer(question=question)
    if value is NOT_APPLICABLE:
        row.not_applicable = True
    elif value is None:
        pass
    elif question.kind == Question.Kind.LIKERT:
        row.likert = value
    elif question.kind == Question.Kind.YES_NO:
        row.flag = value
    elif question.kind == Question.Kind.NUMBER:
        row.number = Decimal(value)
    elif question.kind == Question.Kind.CHOICE:
        row.choice = value
    else:
        row.text = value
    return row


def avoid_accidental_straightline(values):
    """Nudge one item so that only the planted "应付式" submissions are straight-lined."""
    likert = [q for q, v in values.items() if q.kind == Question.Kind.LIKERT and v is not None]
    if len(likert) > 1 and len({values[q] for q in likert}) == 1:
        first = likert[0]
        values[first] = values[first] + 1 if values[first] < 5 else 4
