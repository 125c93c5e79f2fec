"""Committing a bulk onboarding import: the plan applied in one transaction, audited."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from reports.store import bump_version, bump_version_once
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.organisation import services
from surveys.organisation.import_plan import (
    CREATE,
    HANDOVER,
    UPDATE,
    Plan,
    counts,
    load_snapshot,
    plan_import,
    summary,
)
from surveys.organisation.import_sheet import read_rows
from surveys.organisation.models import Branch, Unit, User


class ImportRefused(Exception):
    """The file was read but cannot be committed; the message says why."""


@dataclass
class ImportResult:
    plan: Plan
    credentials: list  # [{"username", "name", "branch", "password"}], shown once


def import_commit(*, user, content, filename="", expected_digest="") -> ImportResult:
    """Re-read and re-check the file, then apply it in one transaction with an audit record.

    Refuses if the file has errors or if the plan differs from the one previewed (someone
    changed the organisation in between)."""
    require_office(user, "只有机关工委工作人员可以导入名单。")
    rows, errors = read_rows(content)
    plan = plan_import(rows, load_snapshot(), errors)
    _check(plan, expected_digest)
    if not plan.has_changes:
        return ImportResult(plan=plan, credentials=[])
    # Hash outside the transaction, which holds the database's write lock.
    new = [i for i in plan.of("secretary") if i.action in (CREATE, HANDOVER)]
    passwords = [services.generate_password() for _ in new]
    hashes = dict(
        zip([i.key for i in new], services.hash_initial_passwords(passwords), strict=True)
    )
    with transaction.atomic():
        again = plan_import(rows, load_snapshot(), errors)
        _check(again, plan.digest())
        with bump_version_once():  # not once per unit and branch saved
            _apply(plan, hashes)
            bump_version()  # reports show unit and branch names
        events.people_imported(actor=user, note=summary(plan), file=filename, counts=counts(plan))
    branch_names = {b.key: b.label for b in plan.of("branch")}
    credentials = [
        {
            "username": item.key,
            "name": item.values["name"],
            "phone": item.values.get("phone", ""),
            "branch": branch_names[item.values["branch_code"]],
            "password": password,
        }
        for item, password in zip(new, passwords, strict=True)
    ]
    return ImportResult(plan=plan, credentials=credentials)


def _check(plan, expected_digest):
    if plan.errors:
        raise ImportRefused(f"名单中有 {len(plan.errors)} 处错误，未导入任何数据。")
    if expected_digest and plan.digest() != expected_digest:
        raise ImportRefused("预览之后系统中的组织或账号已有变动，请重新上传并核对预览。")


def _apply(plan, hashes):
    now = timezone.now()
    units = {u.code: u for u in Unit.objects.filter(code__in=[i.key for i in plan.of("unit")])}
    order = Unit.objects.aggregate(m=Max("order"))["m"] or 0
    for item in plan.of("unit"):
        if item.action == CREATE:
            order += 1
            units[item.key] = Unit.objects.create(code=item.key, order=order, **item.values)
        elif item.action == UPDATE:
            Unit.objects.filter(code=item.key).update(**item.values)
    branches = {}
    for item in plan.of("branch"):
        values = {k: v for k, v in item.values.items() if k != "unit_code"}
        if item.action == CREATE:
            unit = units[item.values["unit_code"]]
            branches[item.key] = Branch.objects.create(code=item.key, unit=unit, **values)
        elif item.action == UPDATE:
            Branch.objects.filter(code=item.key).update(**values)
    for item in plan.of("secretary"):
        branch_code = item.values["branch_code"]
        if item.action == UPDATE:
            email = {"email": item.values["email"]} if "email" in item.values else {}
            User.objects.filter(username=item.key).update(
                last_name=item.values["name"], first_name="", phone=item.values["phone"], **email
            )
        elif item.action in (CREATE, HANDOVER):
            branch = branches.get(branch_code) or Branch.objects.get(code=branch_code)
            if item.action == HANDOVER:
                services.retire_secretaries(branch=branch, now=now)
            account = User(
                username=item.key,
                password=hashes[item.key],
                last_name=item.values["name"],
                phone=item.values["phone"],
                email=item.values.get("email", ""),
                must_change_password=True,
            )
            services.appoint(branch=branch, secretary=account, now=now)
