"""The warning lights at their edges, on hand-made facts."""

from reports.warnings.rules import (
    GREEN,
    GREY,
    RED,
    YELLOW,
    Rules,
    UnitFacts,
    consecutive_falls,
    evaluate,
)

RULES = Rules()


def facts(**kw):
    base = {"name": "县水利局", "index": 80.0, "grade": "较好"}
    return UnitFacts(**{**base, **kw})


def test_nothing_counted_is_grey():
    assert evaluate(facts(index=None, grade=None), RULES)[0] == GREY


def test_a_healthy_unit_is_green_with_no_reasons():
    assert evaluate(facts(dimensions={"学用结合": 60.0}, history=(70, 80)), RULES) == (GREEN, [])


def test_grade_poor_is_red_and_says_why():
    light, reasons = evaluate(facts(index=55.0, grade="差"), RULES)
    assert light == RED
    assert reasons == ["等次为“差”（融合度指数 55.00）"]


def test_both_weak_is_red_only_while_that_rule_is_on():
    assert evaluate(facts(quadrant="双弱"), RULES)[0] == RED
    assert evaluate(facts(quadrant="双弱"), Rules(red_both_weak=False))[0] == GREEN
    assert evaluate(facts(quadrant="党建强业务弱"), RULES)[0] == GREEN


def test_two_falls_in_a_row_are_yellow_one_is_not():
    assert consecutive_falls((80, 75, 70)) == 2
    assert consecutive_falls((70, 75, 70)) == 1
    assert consecutive_falls((80,)) == 0
    light, reasons = evaluate(facts(index=70.0, history=(80.0, 75.0, 70.0)), RULES)
    assert (light, reasons) == (YELLOW, ["连续 2 轮下降（80.00 → 75.00 → 70.00）"])
    assert evaluate(facts(index=70.0, history=(70.0, 75.0, 70.0)), RULES)[0] == GREEN


def test_falls_compare_the_shown_values():
    # 70.004 and 70.001 both show as 70.00: the last step is no fall.
    assert consecutive_falls((80.0, 70.004, 70.001)) == 0
    # 70.006 shows as 70.01, 70.001 as 70.00: that is a fall.
    assert consecutive_falls((80.0, 70.006, 70.001)) == 2


def test_a_dimension_on_the_floor_is_not_below_it():
    on_floor = facts(dimensions={"学用结合": 59.99999999999999})
    assert evaluate(on_floor, RULES)[0] == GREEN
    light, reasons = evaluate(facts(dimensions={"学用结合": 59.5, "评价考核": None}), RULES)
    assert (light, reasons) == (YELLOW, ["“学用结合”得分 59.50，低于 60"])


def test_self_rating_above_others_by_more_than_the_margin_is_yellow():
    assert evaluate(facts(self_gaps={"党员评议": 10.0}), RULES)[0] == GREEN
    light, reasons = evaluate(facts(self_gaps={"党员评议": 12.5, "群众评议": None}), RULES)
    assert (light, reasons) == (YELLOW, ["自评偏高：比党员评议高 12.50 分"])


def test_red_reasons_come_first_and_yellow_ones_are_kept():
    light, reasons = evaluate(facts(index=55.0, grade="差", dimensions={"学用结合": 50.0}), RULES)
    assert light == RED
    assert reasons == ["等次为“差”（融合度指数 55.00）", "“学用结合”得分 50.00，低于 60"]


def test_a_single_overclaiming_branch_is_named_even_when_the_unit_mean_hides_it():
    # The unit's mean gap is small (one branch 12 above, four at 0: mean 2.4), the branch not.
    facts_ = facts(self_gaps={"考评": 2.4}, branch_gaps=(("第一支部", 12.0), ("第二支部", 0.0)))
    light, reasons = evaluate(facts_, RULES)
    assert light == YELLOW
    assert reasons == ["自评偏高的支部：第一支部（高 12.00 分），自评比考评高出 10 分以上"]
    exactly_on = facts(branch_gaps=(("第一支部", 10.004),))  # shows as 10.00: not above
    assert evaluate(exactly_on, RULES)[0] == GREEN
