"""The reads of rectification tasks: a secretary's own, a round's, and whether the linked
items improved in the next round."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from reports import selectors as report_selectors
from reports.models import UnitScore
from reports.rectification.models import RectificationTask, TaskUpdate
from surveys.questionnaires.models import Question
from surveys.rounds.models import Round


def _with_updates(tasks):
    return tasks.select_related("unit", "branch", "round").prefetch_related(
        Prefetch("updates", queryset=TaskUpdate.objects.select_related("author"))
    )


def _updates_with_files():
    return TaskUpdate.objects.select_related("author").prefetch_related("files")


def task_updates(task):
    """A task's history, each report with its files (2 queries)."""
    return list(_updates_with_files().filter(task=task))


def secretary_tasks(user):
    """The tasks a secretary sees: their branch's, and their unit's as a whole (2 queries)."""
    branch = user.branch
    return list(
        _with_updates(
            RectificationTask.objects.filter(
                Q(branch=branch) | Q(branch__isnull=True, unit_id=branch.unit_id)
            ).order_by("status", "due_date", "pk")
        )
    )


def round_tasks(round_, *, unit=None):
    """A round's tasks for the office, each report with its evidence files (3 queries)."""
    tasks = RectificationTask.objects.filter(round=round_)
    if unit is not None:
        tasks = tasks.filter(unit=unit)
    return list(
        tasks.order_by("unit__order", "due_date", "pk")
        .select_related("unit", "branch", "round")
        .prefetch_related(Prefetch("updates", queryset=_updates_with_files()))
    )


@dataclass
class Change:
    label: str  # the dimension's or item's name
    before: float | None
    after: float | None

    @property
    def delta(self):
        if self.before is None or self.after is None:
            return None
        return round(round(self.after, 2) - round(self.before, 2), 2)

    @property
    def improved(self):
        return None if self.delta is None else self.delta > 0


@dataclass
class Improvement:
    next_round: Round | None
    changes: list  # Change per linked dimension and item


def _next_round(task):
    """The first later round in which the unit has a score: where the effect shows."""
    later = (
        UnitScore.objects.filter(
            unit_id=task.unit_id,
            round__opens_at__gt=task.round.opens_at,
            index__isnull=False,
        )
        .select_related("round")
        .order_by("round__opens_at")
        .first()
    )
    return later.round if later else None


def improvement(task) -> Improvement:
    """Before (the task's round) → after (the next round the unit is scored in), for the
    linked dimension and items; after is None until that round has numbers."""
    after_round = _next_round(task)
    scores = {
        s.round_id: s
        for s in UnitScore.objects.filter(
            unit_id=task.unit_id,
            round_id__in=[task.round_id, *([after_round.pk] if after_round else [])],
        )
    }
    changes = []
    if task.dimension_code:
        name = (
            task.round.questionnaire.dimensions.filter(code=task.dimension_code)
            .values_list("name", flat=True)
            .first()
        ) or task.dimension_code
        before = scores.get(task.round_id)
        after = scores.get(after_round.pk) if after_round else None
        changes.append(
            Change(
                f"维度：{name}",
                before.dimensions.get(task.dimension_code) if before else None,
                after.dimensions.get(task.dimension_code) if after else None,
            )
        )
    if task.question_codes:
        before_items = report_selectors.item_means_by_code(
            task.round, task.unit, task.question_codes
        )
        after_items = (
            report_selectors.item_means_by_code(after_round, task.unit, task.question_codes)
            if after_round
            else {}
        )
        texts = dict(
            Question.objects.filter(
                questionnaire=task.round.questionnaire, code__in=task.question_codes
            ).values_list("code", "text")
        )
        for code in task.question_codes:
            changes.append(
                Change(
                    f"题目 {code}：{texts.get(code, '')}",
                    before_items.get(code),
                    after_items.get(code),
                )
            )
    return Improvement(after_round, changes)


def unit_tasks(round_, unit):
    """The unit's tasks from this round and the earlier ones, each with its improvement: on
    the unit page of a later round they show whether the linked items got better."""
    tasks = list(
        _with_updates(
            RectificationTask.objects.filter(unit=unit, round__opens_at__lte=round_.opens_at)
        ).order_by("-round__opens_at", "due_date", "pk")
    )
    for task in tasks:
        task.improvement = improvement(task)
    return tasks
