"""Accounts of branch secretaries: initial and reset passwords, the forced first change,
deactivating a branch (and reactivating it) and handing a branch to a new secretary; and
which accounts are locked out of logging in (django-axes), and lifting such a lockout.

Each write checks who acts, runs in one transaction and writes its audit record beside the
change. Plaintext passwords are returned to the caller to be shown once, never stored."""

import re
import secrets

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone

from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.organisation.models import Branch, SecretaryAssignment, Unit, User

# Without look-alikes (0/O/o, 1/l/I/i) so a password read off a screen or a printout is typed
# right the first time.
LOWER = "abcdefghjkmnpqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
PASSWORD_LENGTH = 10

PHONE_RE = re.compile(r"1[0-9]{10}")
USERNAME_RE = re.compile(r"[A-Za-z0-9_.@+-]+")
USERNAME_MAX = 150


class AccountError(Exception):
    """A refused account action, with a message fit to show the office."""


def generate_password(length=PASSWORD_LENGTH):
    """A random, readable password with at least one lower, one upper letter and one digit."""
    alphabet = LOWER + UPPER + DIGITS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c in LOWER for c in password)
            and any(c in UPPER for c in password)
            and any(c in DIGITS for c in password)
        ):
            return password


class _InitialPasswordHasher(PBKDF2PasswordHasher):
    # A random 10-character password from 55 symbols carries about 58 bits; guessing it
    # needs no slow hash to be out of reach, unlike a password a person chose. The first
    # login re-hashes it at the full work factor (must_update) and then it is replaced.
    iterations = 20_000


def hash_initial_passwords(passwords):
    """Hashes for many generated passwords at once, fast enough for a bulk import of
    hundreds of accounts within one request; the configured hasher if it is not PBKDF2."""
    hasher = get_hasher()
    if hasher.algorithm == PBKDF2PasswordHasher.algorithm:
        hasher = _InitialPasswordHasher()
    return [make_password(p, hasher=hasher) for p in passwords]


def phone_problem(phone):
    """Why a phone number is not acceptable, or "" if it is."""
    if not PHONE_RE.fullmatch(phone):
        return f"手机号“{phone}”格式不正确（应为11位数字）"
    return ""


def email_problem(email):
    """Why an e-mail address is not acceptable, or "" if it is (Django's own validator)."""
    try:
        validate_email(email)
    except ValidationError:
        return f"邮箱“{email[:40]}”格式不正确（应如 zhang@example.gov.cn）"
    if len(email) > 254:
        return "邮箱超过 254 个字符"
    return ""


def username_problem(username):
    if len(username) > USERNAME_MAX:
        return f"登录账号“{username[:20]}…”超过 {USERNAME_MAX} 个字符"
    if not USERNAME_RE.fullmatch(username):
        return f"登录账号“{username}”只能由英文字母、数字和 _ . - @ + 组成"
    return ""


def _label(user):
    return f"{user.display_name}（{user.username}）"


def units_with_people():
    """Every unit with its branches and their secretary accounts, in three queries."""
    secretaries = User.objects.filter(role=User.Role.SECRETARY).order_by("-is_active", "id")
    branches = Branch.objects.order_by("-is_active", "code").prefetch_related(
        Prefetch("secretaries", queryset=secretaries)
    )
    return Unit.objects.order_by("order", "code").prefetch_related(
        Prefetch("branches", queryset=branches)
    )


def handover_candidates():
    """Accounts that may take over a branch: people without a role, not administrators."""
    return User.objects.filter(role="", is_superuser=False, is_staff=False).order_by(
        "last_name", "first_name", "username"
    )


def password_reset(*, user, secretary) -> str:
    """A new random password for a secretary, to be changed at the next login."""
    require_office(user)
    with transaction.atomic():
        secretary = User.objects.select_for_update().get(pk=secretary.pk)
        if secretary.role != User.Role.SECRETARY:
            raise AccountError("只能为支部书记账号重置密码。")
        if not secretary.is_active:
            raise AccountError("该账号已停用，不能重置密码。")
        password = generate_password()
        secretary.set_password(password)
        secretary.must_change_password = True
        secretary.save(update_fields=["password", "must_change_password"])
        events.password_reset(
            actor=user,
            branch=secretary.branch,
            note=f"重置 {_label(secretary)} 的密码，下次登录须修改",
        )
    return password


def password_change(*, user, new_password):
    """The user's own new password; it lifts the forced change after an initial or reset one."""
    with transaction.atomic():
        user.set_password(new_password)
        forced = user.must_change_password
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        events.password_changed(
            actor=user,
            branch=user.branch,
            note="首次登录修改初始密码" if forced else "修改密码",
        )


def branch_deactivate(*, user, branch):
    """Stop a branch: off new rosters by default, its secretary account can no longer log in.

    The secretary keeps role and branch (the database requires a secretary to have one), so
    the pair can be restored together in the admin if the branch is revived."""
    require_office(user)
    now = timezone.now()
    with transaction.atomic():
        branch = Branch.objects.select_for_update().get(pk=branch.pk)
        if not branch.is_active:
            raise AccountError(f"“{branch.name}”已经停用。")
        branch.is_active = False
        branch.save(update_fields=["is_active"])
        accounts = list(branch.secretaries.filter(is_active=True))
        User.objects.filter(pk__in=[a.pk for a in accounts]).update(is_active=False)
        SecretaryAssignment.objects.filter(branch=branch, ended_at__isnull=True).update(
            ended_at=now
        )
        note = "停用支部"
        if accounts:
            note += "，同时停用书记账号 " + "、".join(_label(a) for a in accounts)
        events.branch_changed(
            actor=user,
            branch=branch,
            changes={"启用": ["是", "否"]},
            note=note,
        )
    return branch


def former_secretary(branch):
    """The secretary account that was stopped with the branch, to restore with it, or None.

    Deactivation keeps the account's role and branch; a handover clears them, so an
    account still pointing here was this branch's secretary when it stopped. Of several,
    the one whose assignment here ended last."""
    return (
        User.objects.filter(role=User.Role.SECRETARY, branch=branch, is_active=False)
        .annotate(left_at=Max("assignments__ended_at", filter=Q(assignments__branch=branch)))
        .order_by(F("left_at").desc(nulls_last=True), "-pk")
        .first()
    )


def branch_reactivate(*, user, branch, restore_secretary=True):
    """Undo a deactivation: the branch is back on new rosters by default and, if asked and
    there is one, its former secretary can log in again with the old password.

    Returns the branch and the restored secretary (or None)."""
    require_office(user)
    now = timezone.now()
    with transaction.atomic():
        branch = (
            Branch.objects.select_for_update(of=("self",)).select_related("unit").get(pk=branch.pk)
        )
        if branch.is_active:
            raise AccountError(f"“{branch.name}”已经是启用状态。")
        if not branch.unit.is_active:
            raise AccountError(
                f"所属单位“{branch.unit.name}”已停用，请先由系统管理员在后台启用该单位。"
            )
        branch.is_active = True
        branch.save(update_fields=["is_active"])
        secretary = former_secretary(branch) if restore_secretary else None
        note = "重新启用支部"
        if secretary is not None:
            secretary = User.objects.select_for_update().get(pk=secretary.pk)
            secretary.is_active = True
            secretary.save(update_fields=["is_active"])
            current = SecretaryAssignment.objects.filter(branch=branch, ended_at__isnull=True)
            if not current.exists():
                SecretaryAssignment.objects.create(branch=branch, user=secretary, started_at=now)
            note += "，同时恢复书记账号 " + _label(secretary)
        events.branch_changed(
            actor=user,
            branch=branch,
            changes={"启用": ["否", "是"]},
            note=note,
        )
    return branch, secretary


def retire_secretaries(*, branch, now):
    """End every secretary account of a branch: inactive, no role, no branch.

    The branch keeps its submissions, so the next secretary sees its history and the old
    one, who can no longer log in, sees nothing. Returns the retired accounts."""
    old = list(User.objects.select_for_update().filter(role=User.Role.SECRETARY, branch=branch))
    User.objects.filter(pk__in=[u.pk for u in old]).update(is_active=False, role="", branch=None)
    SecretaryAssignment.objects.filter(branch=branch, ended_at__isnull=True).update(ended_at=now)
    return old


def appoint(*, branch, secretary, now):
    """Make an account the branch's secretary and open its assignment."""
    secretary.role = User.Role.SECRETARY
    secretary.branch = branch
    secretary.is_active = True
    secretary.save()
    SecretaryAssignment.objects.create(branch=branch, user=secretary, started_at=now)


def secretary_handover(
    *, user, branch, new_user=None, name="", phone="", username=""
) -> tuple[User, str]:
    """Hand a branch to another secretary: an existing account without a role, or a new one.

    Returns the new secretary and, for a new account, its initial password (else "")."""
    require_office(user)
    now = timezone.now()
    with transaction.atomic():
        branch = Branch.objects.select_for_update().get(pk=branch.pk)
        if not branch.is_active:
            raise AccountError(f"“{branch.name}”已停用，不能更换书记。")
        password = ""
        if new_user is not None:
            new_user = User.objects.select_for_update().get(pk=new_user.pk)
            if new_user.role or new_user.is_superuser or new_user.is_staff:
                raise AccountError(f"账号 {_label(new_user)} 已有其他角色，不能直接担任支部书记。")
        else:
            new_user, password = _new_secretary_account(name=name, phone=phone, username=username)
        old = retire_secretaries(branch=branch, now=now)
        appoint(branch=branch, secretary=new_user, now=now)
        events.secretary_changed(
            actor=user,
            branch=branch,
            changes={
                "书记": ["、".join(_label(u) for u in old) or "（无）", _label(new_user)],
            },
            note="原书记账号已停用" if old else "",
        )
    return new_user, password


def _new_secretary_account(*, name, phone, username):
    name, phone, username = name.strip(), phone.strip(), username.strip()
    # The phone is required here as in the bulk import: it is how the office reaches a
    # secretary who has not logged in yet.
    if not name or not phone or not username:
        raise AccountError("请填写新书记的姓名、手机号和登录账号。")
    problem = username_problem(username) or phone_problem(phone)
    if problem:
        raise AccountError(problem + "。")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"登录账号“{username}”已被使用，请换一个。")
    password = generate_password()
    account = User(
        username=username, last_name=name, first_name="", phone=phone, must_change_password=True
    )
    account.set_password(password)
    return account, password


# ---------------------------------------------------------------- login lockouts ----


def locked_accounts():
    """The accounts whose logins are refused right now from at least one client, each with
    `locked_at` (its lockout's latest failure; it ends one cool-off later), in one query.

    django-axes counts failures per username and client address within the cool-off; a pair
    at the failure limit is locked."""
    threshold = timezone.now() - get_cool_off()
    locked_pairs = (
        AccessAttempt.objects.filter(username=OuterRef("username"), attempt_time__gte=threshold)
        .values("username", "ip_address")
        .annotate(total=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
    )
    return (
        User.objects.filter(Exists(locked_pairs))
        .select_related("branch")
        .annotate(locked_at=Subquery(locked_pairs.order_by("-last").values("last")[:1]))
        .order_by("username")
    )


def lockout_end(locked_at):
    """When a lockout whose latest failure was at `locked_at` ends."""
    return locked_at + get_cool_off()


def account_unlock(*, user, account) -> int:
    """Lift an account's login lockout from every client at once (the office was asked, or
    the secretary mistyped on her own phone). Returns how many failure records were removed;
    0 when there were none (then nothing is recorded)."""
    require_office(user)
    with transaction.atomic():
        account = (
            User.objects.select_for_update(of=("self",)).select_related("branch").get(pk=account.pk)
        )
        cleared = axes_reset(username=account.username)
        if cleared:
            events.account_unlocked(
                actor=user, branch=account.branch, username=account.username, cleared=cleared
            )
    return cleared


def secretary_email_set(*, user, secretary, email) -> bool:
    """Set (or, with "", clear) a secretary's e-mail address, where 催报 also mails to.
    Returns whether it changed; a change is audited."""
    require_office(user)
    email = email.strip()
    if email and email_problem(email):
        raise AccountError(email_problem(email) + "。")
    with transaction.atomic():
        account = (
            User.objects.select_for_update(of=("self",))
            .select_related("branch")
            .get(pk=secretary.pk, role=User.Role.SECRETARY)
        )
        if account.email == email:
            return False
        old, account.email = account.email, email
        account.save(update_fields=["email"])
        events.email_changed(
            actor=user, branch=account.branch, username=account.username, old=old, new=email
        )
    return True
