"""A demo county: units, branches, accounts, three past rounds and one open round, with
answers that look like a real county's (units strong in one dimension and weak in another,
slow improvement, a few "应付式" submissions).

Everything comes from one `random.Random(seed)`, consumed in a fixed order, so a seed always
gives the same county. Rows are written with bulk_create to keep `make run` fast; scores are
not computed here (reports stores them when a submission is submitted).
"""

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reports.rectification.services import purge_orphan_files as purge_orphan_task_files
from reports.store import bump_version_once, rescore_round
from surveys.demo.answers import (
    answer_for,
    answer_row,
    avoid_accidental_straightline,
    branch_levels,
    clamp,
    text_slot,
)
from surveys.evidence.services import evidence_purge_orphans
from surveys.organisation.models import Branch, SecretaryAssignment, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.questionnaires.models import Question, Questionnaire
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from surveys.submissions.values import answer_value
from surveys.verification.services import appeal_purge_orphans

# (name, number of branches, has construction/field projects so a 项目党支部 item applies)
UNITS = [
    ("县委办公室", 3, False),
    ("县委政策研究室", 1, False),
    ("县委组织部", 2, False),
    ("县委宣传部", 2, False),
    ("县纪委监委机关", 3, False),
    ("县政府办公室", 3, False),
    ("县发展和改革局", 3, True),
    ("县财政局", 3, False),
    ("县教育局", 4, False),
    ("县公安局", 4, False),
    ("县水利局", 3, True),
    ("县农业农村局", 3, True),
    ("县自然资源局", 2, True),
    ("县住房和城乡建设局", 3, True),
    ("县交通运输局", 2, True),
    ("县卫生健康委员会", 3, False),
    ("县市场监督管理局", 3, False),
    ("县人力资源和社会保障局", 2, False),
    ("县民政局", 2, False),
    ("县司法局", 1, False),
    ("县审计局", 1, False),
    ("县统计局", 1, False),
    ("县应急管理局", 2, False),
    ("县生态环境局", 2, True),
    ("经济开发区党工委", 2, True),
]
UNIT_CODES = [f"U{i:02d}" for i in range(1, len(UNITS) + 1)]
OFFICE_USERNAME, ADMIN_USERNAME = "office", "admin"
ORDINALS = "一二三四五六七八九"
QUARTERS = "一二三四"
STRAIGHTLINED = 4  # "应付式" submissions the office should be able to spot

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于"
    "董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
)
GIVEN = "建国军华明丽敏静强磊洋艳勇杰娟涛超秀英霞平刚桂兰文辉鹏宇浩红梅志海燕玲波峰晓东春雪芳俊斌玉"


def demo_present() -> bool:
    return Unit.objects.filter(code=UNIT_CODES[0]).exists()


def seed_demo(*, seed: int, stdout=None, reset: bool = False) -> dict:
    """Create the demo county unless it is there already; return what the database holds."""
    # One version bump for the lot, not one per unit, branch and round deleted or created.
    with transaction.atomic(), bump_version_once():
        if reset:
            delete_demo()
        if demo_present():
            _say(stdout, "演示县数据已存在，未作改动（如需重建，请加 --reset）。")
            return {"created": False, **demo_counts()}
        straightlined = _create(random.Random(seed))
        _score_demo_rounds()
    _say(stdout, f"已创建演示县数据（随机种子 {seed}）。")
    return {"created": True, "straightlined": straightlined, **demo_counts()}


def _score_demo_rounds():
    # The answers were bulk-inserted, bypassing the submit service that stores scores.
    for round_ in Round.objects.filter(roster__branch__unit__code=UNIT_CODES[0]).distinct():
        rescore_round(round_)


def delete_demo():
    """Remove everything the demo created (rounds that only demo branches take part in)."""
    branches = Branch.objects.filter(unit__code__in=UNIT_CODES)
    other_rounds = RosterEntry.objects.exclude(branch__in=branches).values("round")
    rounds = set(
        Round.objects.filter(roster__branch__in=branches)
        .exclude(pk__in=other_rounds)
        .values_list("pk", flat=True)
    )
    Submission.objects.filter(Q(branch__in=branches) | Q(round__in=rounds)).delete()
    RosterEntry.objects.filter(branch__in=branches).delete()
    Round.objects.filter(pk__in=rounds).delete()
    User.objects.filter(
        Q(branch__in=branches) | Q(username__in=[OFFICE_USERNAME, ADMIN_USERNAME])
    ).delete()
    branches.delete()
    Unit.objects.filter(code__in=UNIT_CODES).delete()
    # The evidence rows went with their submissions (and the tasks' with their rounds);
    # their stored files go now.
    evidence_purge_orphans()
    purge_orphan_task_files()
    appeal_purge_orphans()


def demo_counts() -> dict:
    branches = Branch.objects.filter(unit__code__in=UNIT_CODES)
    submissions = Submission.objects.filter(branch__in=branches)
    return {
        "units": Unit.objects.filter(code__in=UNIT_CODES).count(),
        "branches": branches.count(),
        "secretaries": User.objects.filter(branch__in=branches).count(),
        "rounds": Round.objects.filter(roster__branch__in=branches).distinct().count(),
        "submissions": submissions.count(),
        "submitted": submissions.filter(status=Submission.Status.SUBMITTED).count(),
        "drafts": submissions.filter(status=Submission.Status.DRAFT).count(),
        "answers": Answer.objects.filter(submission__in=submissions).count(),
        "snapshots": SubmissionSnapshot.objects.filter(submission__in=submissions).count(),
    }


def demo_logins() -> list[tuple[str, str]]:
    """(username, who) pairs worth trying: office, admin, and three secretaries whose
    branches stand differently in the open round (not started, draft, submitted)."""
    logins = [(OFFICE_USERNAME, "机关工委办公室"), (ADMIN_USERNAME, "系统管理员（可进入 /admin/）")]
    now = timezone.now()
    secretaries = list(
        User.objects.filter(branch__unit__code__in=UNIT_CODES)
        .select_related("branch")
        .order_by("branch__unit__order", "branch__code")
    )
    open_round = (
        Round.objects.filter(
            roster__branch__unit__code__in=UNIT_CODES, opens_at__lte=now, closes_at__gt=now
        )
        .order_by("-opens_at")
        .first()
    )
    states = dict(Submission.objects.filter(round=open_round).values_list("branch_id", "status"))
    for state, note in [
        (None, "本期尚未填报"),
        (Submission.Status.DRAFT, "本期已存草稿"),
        (Submission.Status.SUBMITTED, "本期已提交"),
    ]:
        user = next((u for u in secretaries if states.get(u.branch_id) == state), None)
        if user is not None:
            logins.append(
                (user.username, f"{user.branch.name} 支部书记 {user.display_name}（{note}）")
            )
    return logins


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _questionnaire():
    latest = Questionnaire.objects.filter(code="standard").order_by("-version").first()
    return latest or load_questionnaire()[0]


def _create(rng):
    questionnaire = _questionnaire()
    units, branches = _organisation(rng)
    secretaries = _accounts(rng, branches)
    rounds = _rounds(questionnaire, branches)
    return _submissions(rng, questionnaire, units, branches, secretaries, rounds)


def _organisation(rng):
    units = Unit.objects.bulk_create(
        Unit(code=code, name=name, order=i)
        for i, (code, (name, _, _)) in enumerate(zip(UNIT_CODES, UNITS, strict=True), start=1)
    )
    rows = []
    for unit, (name, count, _) in zip(units, UNITS, strict=True):
        # "县纪委监委机关" already ends in 机关; a 党工委's branches sit in its 机关.
        prefix = name if name.endswith("机关") else name.replace("党工委", "") + "机关"
        for n in range(1, count + 1):
            rows.append(
                Branch(
                    unit=unit,
                    code=f"{unit.code}B{n}",
                    name=f"{prefix}第{ORDINALS[n - 1]}党支部" if count > 1 else f"{prefix}党支部",
                    member_count=rng.randint(5, 40),
                )
            )
    return units, Branch.objects.bulk_create(rows)


def _accounts(rng, branches):
    # One hash for all: hashing 60 passwords one by one would take most of the run.
    password = make_password(settings.RONGHE_DEMO_PASSWORD)
    used, secretaries = set(), []
    for branch in branches:
        while True:
            surname = rng.choice(SURNAMES)
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            if surname + given not in used:
                break
        used.add(surname + given)
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        secretaries.append(
            User(
                username=f"s_{branch.code.lower()}",
                password=password,
                role=User.Role.SECRETARY,
                branch=branch,
                last_name=surname,
                first_name=given,
                phone=phone,
            )
        )
    secretaries = User.objects.bulk_create(secretaries)
    SecretaryAssignment.objects.bulk_create(
        SecretaryAssignment(branch_id=user.branch_id, user=user) for user in secretaries
    )
    staff = [
        User(
            username=OFFICE_USERNAME,
            password=password,
            role=User.Role.OFFICE,
            last_name="机关工委办公室",
        ),
        User(
            username=ADMIN_USERNAME,
            password=password,
            role=User.Role.OFFICE,
            last_name="系统管理员",
            is_staff=True,
            is_superuser=True,
        ),
    ]
    existing = set(
        User.objects.filter(username__in=[u.username for u in staff]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create(u for u in staff if u.username not in existing)
    return {user.branch_id: user for user in secretaries}


def _local(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _rounds(questionnaire, branches):
    """Past rounds five, three and one quarter back, and an open one for this quarter.

    Relative to today so the demo looks the same whenever it is seeded."""
    today = timezone.localdate()
    index = today.year * 4 + (today.month - 1) // 3
    rounds = []
    for back in (5, 3, 1):
        year, quarter = divmod(index - back, 4)
        last_month = quarter * 3 + 3
        rounds.append(
            Round(
                name=f"{year}年第{QUARTERS[quarter]}季度融合度测评",
                questionnaire=questionnaire,
                opens_at=_local(dt.date(year, last_month, 1), 9),
                closes_at=_local(dt.date(year, last_month, 20), 18),
            )
        )
    year, quarter = divmod(index, 4)
    rounds.append(
        Round(
            name=f"{year}年第{QUARTERS[quarter]}季度融合度测评",
            questionnaire=questionnaire,
            opens_at=_local(today - dt.timedelta(days=7), 9),
            closes_at=_local(today + dt.timedelta(days=21), 18),
        )
    )
    for round_ in rounds:
        round_.created_at = round_.opens_at - dt.timedelta(days=3)
    rounds = Round.objects.bulk_create(rounds)
    RosterEntry.objects.bulk_create(
        RosterEntry(round=round_, branch=branch) for round_ in rounds for branch in branches
    )
    return rounds


def _moment(rng, start, end):
    seconds = int((end - start).total_seconds() * rng.uniform(0.05, 0.95))
    return start + dt.timedelta(seconds=seconds - seconds % 60)


def _submissions(rng, questionnaire, units, branches, secretaries, rounds):
    """Answers for every round; returns how many submissions are straight-lined."""
    questions = list(questionnaire.questions.select_related("dimension"))
    dimension_index = {d.pk: i for i, d in enumerate(questionnaire.dimensions.all())}
    slots = {q.pk: text_slot(q) for q in questions if q.kind == Question.Kind.TEXT}
    levels = branch_levels(rng, units, branches, len(dimension_index))
    projects = {unit.pk: has for unit, (_, _, has) in zip(units, UNITS, strict=True)}
    now = timezone.now()
    plans = []  # (submission, {question: value})
    for r, round_ in enumerate(rounds):
        is_open = r == len(rounds) - 1
        order = rng.sample(branches, len(branches))
        if is_open:
            n_submitted = round(len(order) * rng.uniform(0.45, 0.55))
            n_drafts = rng.randint(3, 5)
        else:  # nearly everyone submitted; a branch or two never started
            n_submitted, n_drafts = len(order) - rng.randint(0, 2), 0
        end = now if is_open else round_.closes_at
        for i, branch in enumerate(order[: n_submitted + n_drafts]):
            submitted = i < n_submitted
            drift = 0.12 * r + rng.gauss(0, 0.15)  # the county improves a little each round
            values = {}
            for q in questions:
                level = clamp(levels[branch.pk][dimension_index[q.dimension_id]] + drift, 1, 5)
                value = answer_for(
                    rng, q, level, na_possible=not projects[branch.unit_id], slot=slots.get(q.pk)
                )
                if not submitted and rng.random() < 0.4:
                    value = None  # a draft is half done
                values[q] = value
            avoid_accidental_straightline(values)
            at = _moment(rng, round_.opens_at, end)
            secretary = secretaries[branch.pk]
            submission = Submission(
                round=round_,
                branch=branch,
                version=rng.randint(1, 3) + int(submitted),
                status=Submission.Status.SUBMITTED if submitted else Submission.Status.DRAFT,
                created_at=max(round_.opens_at, at - dt.timedelta(hours=rng.randint(1, 48))),
                updated_at=at,
                updated_by=secretary,
                submitted_at=at if submitted else None,
                submitted_by=secretary if submitted else None,
            )
            plans.append((submission, values))
    submitted_plans = [p for p in plans if p[0].status == Submission.Status.SUBMITTED]
    for _, values in rng.sample(submitted_plans, STRAIGHTLINED):
        same = rng.choice((5, 5, 4))  # "应付式": every statement ticked the same way
        for q in values:
            if q.kind == Question.Kind.LIKERT:
                values[q] = same
            elif q.kind == Question.Kind.TEXT:
                values[q] = None
    _write(plans)
    return STRAIGHTLINED


def _write(plans):
    submissions = Submission.objects.bulk_create(p[0] for p in plans)
    rows, snapshots = [], []
    for submission, (_, values) in zip(submissions, plans, strict=True):
        answers = []
        for question, value in values.items():
            row = answer_row(question, value)
            row.submission = submission
            answers.append(row)
        rows.extend(answers)
        if submission.status == Submission.Status.SUBMITTED:
            snapshots.append(
                SubmissionSnapshot(
                    submission=submission,
                    number=1,
                    submitted_at=submission.submitted_at,
                    submitted_by=submission.submitted_by,
                    answers={
                        row.question.code: answer_value(row, for_json=True) for row in answers
                    },
                )
            )
    Answer.objects.bulk_create(rows, batch_size=2000)
    SubmissionSnapshot.objects.bulk_create(snapshots)
