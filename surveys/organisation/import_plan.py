"""Planning a bulk onboarding import: what the rows read from the sheet would change.

The plan is pure: it compares the rows with a plain snapshot of the database. Only
`load_snapshot` (and `preview`, which calls it) touches the ORM.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q

from surveys.organisation.import_sheet import read_rows
from surveys.organisation.models import Branch, Unit, User
from surveys.rounds.models import Round

CREATE, UPDATE, UNCHANGED, HANDOVER, SKIPPED = "create", "update", "unchanged", "handover", "skip"
ROW_PREFIX = re.compile(r"第(\d+)行")


@dataclass
class Snapshot:
    """What the database holds, as plain data keyed by code and login name."""

    units: dict = field(default_factory=dict)  # code -> {"name"}
    branches: dict = field(default_factory=dict)  # code -> {"name", "unit_code", ...}
    users: dict = field(default_factory=dict)  # username -> {"role", "branch_code", ...}


@dataclass
class Item:
    kind: str  # "unit", "branch" or "secretary"
    key: str
    action: str
    row: int
    label: str
    values: dict
    changes: list = field(default_factory=list)  # [(field label, old, new)]
    note: str = ""


@dataclass
class Plan:
    items: list
    errors: list
    row_count: int

    def of(self, kind):
        return [i for i in self.items if i.kind == kind]

    def count(self, kind, action):
        return sum(1 for i in self.items if i.kind == kind and i.action == action)

    @property
    def has_changes(self):
        return any(i.action in (CREATE, UPDATE, HANDOVER) for i in self.items)

    def digest(self):
        """A fingerprint of what committing would do, to notice changes since the preview."""
        data = [(i.kind, i.key, i.action, i.values, i.changes) for i in self.items]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def plan_import(rows, snapshot, errors=()) -> Plan:
    """What importing the rows would do to the database the snapshot describes."""
    errors = list(errors)
    items = []
    units_seen, branches_seen, usernames_seen = {}, {}, {}
    unit_codes_by_name = {u["name"]: code for code, u in snapshot.units.items()}
    for row in rows:
        prefix = f"第{row.number}行："
        row_errors = []
        first = units_seen.get(row.unit_code)
        if first is not None and first.unit_name != row.unit_name:
            row_errors.append(
                f"{prefix}单位编码“{row.unit_code}”的单位名称“{row.unit_name}”"
                f"与第{first.number}行的“{first.unit_name}”不一致。"
            )
        elif row.unit_code not in snapshot.units and row.unit_name in unit_codes_by_name:
            row_errors.append(
                f"{prefix}单位编码“{row.unit_code}”在系统中不存在，而单位名称“{row.unit_name}”"
                f"对应的编码是“{unit_codes_by_name[row.unit_name]}”，请核对单位编码。"
            )
        if row.branch_code in branches_seen:
            row_errors.append(
                f"{prefix}支部编码“{row.branch_code}”与第{branches_seen[row.branch_code]}行重复。"
            )
        if row.username in usernames_seen:
            row_errors.append(
                f"{prefix}登录账号“{row.username}”与第{usernames_seen[row.username]}行重复"
                "（一个账号只能担任一个支部的书记）。"
            )
        existing_branch = snapshot.branches.get(row.branch_code)
        if existing_branch and existing_branch["unit_code"] != row.unit_code:
            row_errors.append(
                f"{prefix}支部编码“{row.branch_code}”在系统中属于“{existing_branch['unit_name']}”"
                f"（{existing_branch['unit_code']}），不能通过导入调整到其他单位。"
            )
        skipped = existing_branch is not None and not existing_branch["is_active"]
        if not skipped:
            row_errors.extend(_username_errors(row, snapshot))
        units_seen.setdefault(row.unit_code, row)
        branches_seen.setdefault(row.branch_code, row.number)
        usernames_seen.setdefault(row.username, row.number)
        if row_errors:
            errors.extend(row_errors)
            continue
        if first is None:
            items.append(_unit_item(row, snapshot))
        if skipped:
            items.append(
                Item(
                    "branch",
                    row.branch_code,
                    SKIPPED,
                    row.number,
                    row.branch_name,
                    {},
                    note="该支部已停用，本行未导入（如需恢复，请在“组织与账号”页面重新启用）",
                )
            )
            continue
        items.append(_branch_item(row, existing_branch))
        items.append(_secretary_item(row, snapshot))
    return Plan(items=items, errors=sorted(errors, key=error_row), row_count=len(rows))


def error_row(message):
    """The sheet row a message is about, 0 for one about the whole file, so a sorted list
    reads top to bottom like the sheet (a row's own checks and the checks against other
    rows are made in two passes); the sort is stable, a row's messages keep their order."""
    match = ROW_PREFIX.match(message)
    return int(match.group(1)) if match else 0


def _username_errors(row, snapshot):
    user = snapshot.users.get(row.username)
    if user is None:
        return []
    prefix = f"第{row.number}行：登录账号“{row.username}”"
    if user["role"] != User.Role.SECRETARY:
        return [f"{prefix}已被其他账号（不是支部书记账号）使用，请换一个。"]
    if user["branch_code"] != row.branch_code:
        return [
            f"{prefix}已是“{user['branch_name']}”（{user['branch_code']}）的书记账号，"
            f"不能再用于“{row.branch_name}”。"
        ]
    return []


def _compare(kind, key, row, label, values, old, labels):
    """CREATE if there is no record yet, else UPDATE or UNCHANGED by the labelled fields."""
    if old is None:
        return Item(kind, key, CREATE, row.number, label, values)
    changes = [
        (labels[k], str(old[k]), str(v))
        for k, v in values.items()
        if k in labels and str(old[k]) != str(v)
    ]
    return Item(kind, key, UPDATE if changes else UNCHANGED, row.number, label, values, changes)


def _unit_item(row, snapshot):
    values = {"name": row.unit_name}
    old = snapshot.units.get(row.unit_code)
    return _compare("unit", row.unit_code, row, row.unit_name, values, old, {"name": "单位名称"})


def _branch_item(row, old):
    values = {"name": row.branch_name, "member_count": row.member_count, "unit_code": row.unit_code}
    labels = {"name": "支部名称", "member_count": "党员人数"}
    return _compare("branch", row.branch_code, row, row.branch_name, values, old, labels)


def _secretary_item(row, snapshot):
    values = {"name": row.secretary_name, "phone": row.phone, "branch_code": row.branch_code}
    if row.email:  # a blank 邮箱 keeps the address on record
        values["email"] = row.email
    label = f"{row.secretary_name}（{row.username}）"
    old = snapshot.users.get(row.username)
    current = [
        f"{u['name']}（{name}）"
        for name, u in sorted(snapshot.users.items())
        if u["role"] == User.Role.SECRETARY and u["branch_code"] == row.branch_code
    ]
    if old is None and current:
        return Item(
            "secretary",
            row.username,
            HANDOVER,
            row.number,
            label,
            values,
            [("书记", "、".join(current), label)],
            note=f"{row.branch_name}的原书记账号将停用",
        )
    labels = {"name": "书记姓名", "phone": "手机号", "email": "邮箱"}
    return _compare("secretary", row.username, row, label, values, old, labels)


# The database side -------------------------------------------------------------------------


def load_snapshot() -> Snapshot:
    """The units, branches and accounts an import may touch, as plain data."""
    snapshot = Snapshot()
    for unit in Unit.objects.all():
        snapshot.units[unit.code] = {"name": unit.name}
    for branch in Branch.objects.select_related("unit"):
        snapshot.branches[branch.code] = {
            "name": branch.name,
            "member_count": branch.member_count,
            "is_active": branch.is_active,
            "unit_code": branch.unit.code,
            "unit_name": branch.unit.name,
        }
    for user in User.objects.select_related("branch"):
        snapshot.users[user.username] = {
            "role": user.role,
            "name": user.display_name,
            "phone": user.phone,
            "email": user.email,
            "branch_code": user.branch.code if user.branch else "",
            "branch_name": user.branch.name if user.branch else "",
        }
    return snapshot


def rounds_missing(branch_codes, *, now):
    """The rounds that have not ended, each with `.missing`, how many of these (new) branches
    are not on its roster yet, oldest first; in one query. Rounds made before an import do
    not include its branches: the done page links each such round's 加入参评名单."""
    codes = list(branch_codes)
    if not codes:
        return []
    rounds = list(
        Round.objects.filter(closes_at__gt=now)
        .annotate(on_roster=Count("roster", filter=Q(roster__branch__code__in=codes)))
        .order_by("opens_at", "id")
    )
    for round_ in rounds:
        round_.missing = len(codes) - round_.on_roster
        round_.is_open = round_.status_at(now) == Round.Status.OPEN
    return [r for r in rounds if r.missing]


def preview(content: bytes) -> Plan:
    """Read the file and plan it against the database as it is now."""
    rows, errors = read_rows(content)
    return plan_import(rows, load_snapshot(), errors)


COUNTED = [
    ("unit", CREATE, "新建单位"),
    ("unit", UPDATE, "修改单位"),
    ("branch", CREATE, "新建党支部"),
    ("branch", UPDATE, "修改党支部"),
    ("branch", SKIPPED, "跳过已停用支部"),
    ("secretary", CREATE, "新建书记账号"),
    ("secretary", UPDATE, "修改书记信息"),
    ("secretary", HANDOVER, "更换书记"),
]


def counts(plan):
    """Non-zero counts by kind and action, e.g. {"branch_create": 3}."""
    return {
        f"{kind}_{action}": plan.count(kind, action)
        for kind, action, _ in COUNTED
        if plan.count(kind, action)
    }


def summary(plan):
    """The plan in one Chinese sentence, for the audit log and the confirmation message."""
    parts = [
        f"{label} {plan.count(kind, action)} 个"
        for kind, action, label in COUNTED
        if plan.count(kind, action)
    ]
    return "，".join(parts) or "没有需要变更的内容"
