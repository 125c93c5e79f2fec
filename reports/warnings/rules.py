"""The warning lights (红黄绿灯) as plain rules on stored numbers: no ORM, no Django.

A unit is grey when nothing of it is counted (not submitted), red when a red rule fires, yellow
when a yellow one does, green otherwise; every rule that fired is given with the numbers that
made it fire, so the office sees why. Numbers compare as the pages show them (two decimals)
and by the grades' rule (reports.scoring.at_least / below)."""

from dataclasses import dataclass, field

from reports.scoring import below, round2

RED, YELLOW, GREEN, GREY = "red", "yellow", "green", "grey"
LIGHTS = (RED, YELLOW, GREEN, GREY)
LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯", GREY: "灰灯"}
BOTH_WEAK = "双弱"


@dataclass(frozen=True)
class Rules:
    red_grades: tuple = ("差",)  # grades that are red on their own
    red_both_weak: bool = True  # 双弱 in the business quadrant is red
    falls: int = 2  # yellow after this many falls in a row (0: off)
    dimension_floor: float | None = 60.0  # yellow when a dimension is below it (None: off)
    self_high_margin: float | None = 10.0  # yellow when 自评 exceeds another view by more


@dataclass(frozen=True)
class UnitFacts:
    name: str
    index: float | None
    grade: str | None = None
    dimensions: dict = field(default_factory=dict)  # dimension name -> score or None
    history: tuple = ()  # the unit's indices in the rounds it has one, oldest first, this last
    quadrant: str | None = None
    self_gaps: dict = field(default_factory=dict)  # source name -> 自评 minus that source
    # (branch name, its 自评 minus its verified index) for each verified branch of the unit
    branch_gaps: tuple = ()


def consecutive_falls(history) -> int:
    """How many times in a row, up to the last, the shown value fell (70.00 → 69.99 is one)."""
    shown = [round2(v) for v in history]
    falls = 0
    for earlier, later in zip(reversed(shown[:-1]), reversed(shown[1:]), strict=True):
        if later < earlier:
            falls += 1
        else:
            break
    return falls


def evaluate(facts: UnitFacts, rules: Rules) -> tuple[str, list[str]]:
    """The light of one unit and the reasons, red ones first."""
    if facts.index is None:
        return GREY, ["尚无计入统计的答卷（未提交或数据不足）"]
    red, yellow = [], []
    if facts.grade in rules.red_grades:
        red.append(f"等次为“{facts.grade}”（融合度指数 {facts.index:.2f}）")
    if rules.red_both_weak and facts.quadrant == BOTH_WEAK:
        red.append("党建、业务均低于全县平均（双弱）")
    if rules.falls and len(facts.history) > rules.falls:
        falls = consecutive_falls(facts.history)
        if falls >= rules.falls:
            path = " → ".join(f"{v:.2f}" for v in facts.history[-(falls + 1) :])
            yellow.append(f"连续 {falls} 轮下降（{path}）")
    if rules.dimension_floor is not None:
        for name, score in facts.dimensions.items():
            if below(score, rules.dimension_floor):
                yellow.append(f"“{name}”得分 {score:.2f}，低于 {rules.dimension_floor:g}")
    if rules.self_high_margin is not None:
        for source, gap in facts.self_gaps.items():
            if gap is not None and round2(gap) > rules.self_high_margin:
                yellow.append(f"自评偏高：比{source}高 {gap:.2f} 分")
        # A single branch far above its verified score shows even when the unit's mean hides
        # it among branches that rated themselves fairly.
        over = [(n, g) for n, g in facts.branch_gaps if round2(g) > rules.self_high_margin]
        if over:
            named = "、".join(f"{n}（高 {g:.2f} 分）" for n, g in over)
            yellow.append(
                f"自评偏高的支部：{named}，自评比考评高出 {rules.self_high_margin:g} 分以上"
            )
    if red:
        return RED, red + yellow
    if yellow:
        return YELLOW, yellow
    return GREEN, []
