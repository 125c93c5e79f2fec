"""The office's people pages: the organisation list, bulk import with preview, password
resets, deactivating a branch, handing a branch over; and everyone's own password change.

A new password reaches the one page that shows it by POST, redirect, GET: the session holds
it, sealed under a key that only the office's browser has (a cookie), until that GET; an
import's passwords stay for the one download from that page too. A reload or back/forward
repeats only the GET, which finds them gone and says so, and never issues another password."""

import hashlib
import json
import re
import secrets
import time
from urllib.parse import quote

import pandas as pd
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from surveys import accounts, onboarding, onboarding_commit, onboarding_plan
from surveys.models import Branch, User
from surveys.office_views import XLSX, xlsx_response
from surveys.views import office_required

PENDING = "people_import"  # the uploaded file awaiting commit: token, sha256, name, digest
CREDENTIALS = "people_credentials"  # the last import's initial passwords, sealed, until shown
NEW_PASSWORDS = "people_new_passwords"  # a reset's or a handover's password, sealed, until shown
SEAL_COOKIE = "ronghe_seal_key"
SEAL_SECONDS = 3600  # how long a held password waits for its page (and an import's download)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STALE_UPLOAD_SECONDS = 24 * 3600


# Forms -----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="名单文件（.xlsx）",
        help_text="请使用下载的模板填写，文件不超过 2 MB、5000 行。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > onboarding.MAX_BYTES:
            raise ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 2 MB。")
        return upload


class CandidateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        state = "" if user.is_active else "，已停用"
        return f"{user.display_name}（{user.username}{state}）"


class HandoverForm(forms.Form):
    mode = forms.ChoiceField(
        label="新书记",
        choices=[("new", "新建账号"), ("existing", "选择已有账号（无角色的账号）")],
        widget=forms.RadioSelect,
        initial="new",
    )
    existing = CandidateChoiceField(
        label="已有账号", queryset=User.objects.none(), required=False, empty_label="请选择"
    )
    name = forms.CharField(label="姓名", max_length=150, required=False)
    phone = forms.CharField(
        label="手机号", max_length=32, required=False, help_text="11 位数字，与批量导入的要求相同。"
    )
    username = forms.CharField(
        label="登录账号",
        max_length=accounts.USERNAME_MAX,
        required=False,
        help_text="英文字母、数字和 _ . - @ +；初始密码将在提交后显示一次。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = accounts.handover_candidates()

    def clean(self):
        data = super().clean()
        if data.get("mode") == "existing":
            if not data.get("existing"):
                self.add_error("existing", "请选择接任的账号。")
            return data
        required = {
            "name": "新建账号时须填写新书记的姓名。",
            "phone": "新建账号时须填写新书记的手机号（11位数字）。",
            "username": "新建账号时须填写登录账号。",
        }
        for key, message in required.items():
            if not data.get(key, "").strip():
                self.add_error(key, message)
        phone, username = data.get("phone", "").strip(), data.get("username", "").strip()
        if phone and accounts.phone_problem(phone):
            self.add_error("phone", accounts.phone_problem(phone) + "。")
        if username:
            if accounts.username_problem(username):
                self.add_error("username", accounts.username_problem(username) + "。")
            elif User.objects.filter(username=username).exists():
                self.add_error("username", f"登录账号“{username}”已被使用，请换一个。")
        return data


class OwnPasswordChangeForm(PasswordChangeForm):
    def clean(self):
        data = super().clean()
        password = data.get("new_password1")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error("new_password2", "新密码不能与当前密码相同。")
        return data


# The list --------------------------------------------------------------------------------


@office_required
def people(request):
    units = list(accounts.units_with_people())
    branches = [b for u in units for b in u.branches.all()]
    return render(
        request,
        "surveys/people/people.html",
        {
            "units": units,
            "branch_count": sum(b.is_active for b in branches),
            "inactive_count": sum(not b.is_active for b in branches),
        },
    )


def _xlsx(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@office_required
def people_template(request):
    return _xlsx(onboarding.template_xlsx(), "组织与账号导入模板.xlsx")


@office_required
def people_export(request):
    return _xlsx(onboarding.template_xlsx(onboarding.current_rows()), "组织与账号名单.xlsx")


# Import: upload, preview, commit ---------------------------------------------------------


def _upload_dir():
    path = settings.DATA_DIR / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash(request, content, name, digest):
    """Keep the uploaded bytes on disk under a random token; the session holds the token."""
    _discard_pending(request)
    folder = _upload_dir()
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.xlsx").write_bytes(content)
    request.session[PENDING] = {
        "token": token,
        "sha256": hashlib.sha256(content).hexdigest(),
        "name": name,
        "digest": digest,
    }


def _pending(request):
    """The stashed upload and its session record, or (None, None) if gone or tampered with."""
    meta = request.session.get(PENDING)
    if not meta or not TOKEN_RE.match(meta.get("token", "")):
        return None, None
    path = _upload_dir() / f"{meta['token']}.xlsx"
    try:
        content = path.read_bytes()
    except OSError:
        return None, None
    if hashlib.sha256(content).hexdigest() != meta["sha256"]:
        return None, None
    return content, meta


def _discard_pending(request):
    meta = request.session.pop(PENDING, None)
    if meta and TOKEN_RE.match(meta.get("token", "")):
        (_upload_dir() / f"{meta['token']}.xlsx").unlink(missing_ok=True)


@office_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST":
        _discard_pending(request)  # a new upload replaces any earlier one, good or bad
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            plan = onboarding_plan.preview(content)
        except onboarding.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if not plan.errors:
                _stash(request, content, upload.name, plan.digest())
                return redirect("people_import_preview")
            errors = plan.errors
    return render(
        request,
        "surveys/people/import.html",
        {"form": form, "errors": errors[:500], "error_count": len(errors)},
    )


@office_required
def people_import_preview(request):
    content, meta = _pending(request)
    if content is None:
        messages.warning(request, "没有待确认的导入，请重新上传名单文件。")
        return redirect("people_import")
    try:
        plan = onboarding_plan.preview(content)
    except onboarding.ImportFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("people_import")
    if plan.errors:
        _discard_pending(request)
        form = UploadForm()
        return render(
            request,
            "surveys/people/import.html",
            {"form": form, "errors": plan.errors[:500], "error_count": len(plan.errors)},
        )
    # Commit applies exactly what the office last saw here, or refuses.
    meta["digest"] = plan.digest()
    request.session[PENDING] = meta
    return render(
        request,
        "surveys/people/preview.html",
        {
            "plan": plan,
            "filename": meta["name"],
            "summary": onboarding_plan.summary(plan),
            "sections": [
                ("单位", plan.of("unit")),
                ("党支部", plan.of("branch")),
                ("书记账号", plan.of("secretary")),
            ],
        },
    )


@office_required
@require_POST
def people_import_commit(request):
    content, meta = _pending(request)
    if content is None:
        messages.warning(request, "没有待确认的导入，请重新上传名单文件。")
        return redirect("people_import")
    try:
        result = onboarding_commit.import_commit(
            user=request.user,
            content=content,
            filename=meta["name"],
            expected_digest=meta["digest"],
        )
    except onboarding.ImportFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("people_import")
    except onboarding_commit.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("people_import_preview")
    _discard_pending(request)
    if not result.plan.has_changes:
        messages.info(request, "名单与系统中的数据一致，没有做任何更改。")
        return redirect("people")
    response = redirect("people_import_done")
    key = _seal_key(request, response)
    request.session[CREDENTIALS] = {
        "sealed": accounts.seal(key, json.dumps(result.credentials, ensure_ascii=False)),
        "count": len(result.credentials),
        "shown": False,
        "at": time.time(),
        "summary": onboarding_plan.summary(result.plan),
    }
    return response


@office_required
@require_POST
def people_import_cancel(request):
    _discard_pending(request)
    messages.info(request, "已取消本次导入，没有做任何更改。")
    return redirect("people")


@office_required
@never_cache
def people_import_done(request):
    record = request.session.get(CREDENTIALS)
    if record is None:
        messages.info(
            request, "导入结果页已失效。初始密码只在导入后显示一次；如有遗失，请为该书记重置密码。"
        )
        return redirect("people")
    credentials = None
    if record.get("shown"):
        # A reload, or back/forward to the page: the passwords showed once, as it said.
        del request.session[CREDENTIALS]
    else:
        rows = _unseal(request, record)
        credentials = json.loads(rows) if rows is not None else None
        if credentials is None:
            del request.session[CREDENTIALS]
        else:
            record["shown"] = True  # kept, sealed, for the one download from this page
            request.session[CREDENTIALS] = record
    return render(
        request,
        "surveys/people/import_done.html",
        {
            "summary": record["summary"],
            "count": record.get("count"),
            "credentials": credentials,
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )


@office_required
@require_POST
def people_import_passwords(request):
    record = request.session.pop(CREDENTIALS, None)
    rows = _unseal(request, record) if record and record.get("count") else None
    if rows is None:
        messages.error(
            request, "初始密码只能在导入结果页上下载一次。如有遗失，请为该书记重置密码。"
        )
        return redirect("people")
    frame = pd.DataFrame(
        [[r["username"], r["name"], r["branch"], r["password"]] for r in json.loads(rows)],
        columns=["账号", "姓名", "支部", "初始密码"],
    )
    response = xlsx_response(frame, "初始密码.xlsx", "初始密码")
    response["Cache-Control"] = "no-store"
    return response


# Passwords shown once ----------------------------------------------------------------------


def _seal_key(request, response):
    """This browser's key for sealing passwords held in its session, set (again) on response.

    The cookie goes only to the people pages and outlives no held password by much."""
    key = request.COOKIES.get(SEAL_COOKIE, "")
    if not accounts.is_seal_key(key):
        key = accounts.seal_key()
    response.set_cookie(
        SEAL_COOKIE,
        key,
        max_age=SEAL_SECONDS,
        path=reverse("people"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return key


def _unseal(request, record):
    if time.time() - record.get("at", 0) > SEAL_SECONDS:
        return None
    return accounts.unseal(request.COOKIES.get(SEAL_COOKIE, ""), record.get("sealed", ""))


def _hold_password(request, response, slot, *, account, password):
    """Keep a new password for the result page that response redirects to."""
    key = _seal_key(request, response)
    now = time.time()
    held = {
        name: record
        for name, record in request.session.get(NEW_PASSWORDS, {}).items()
        if now - record["at"] <= SEAL_SECONDS
    }
    held[slot] = {"account": account.pk, "sealed": accounts.seal(key, password), "at": now}
    request.session[NEW_PASSWORDS] = held
    return response


def _take_password(request, slot):
    """The account id and password held for a result page, once; (None, None) after that.

    The password is None too if it can no longer be opened (expired, or another browser)."""
    held = request.session.get(NEW_PASSWORDS, {})
    record = held.pop(slot, None)
    if record is None:
        return None, None
    request.session[NEW_PASSWORDS] = held
    return record["account"], _unseal(request, record)


def _password_page(request, account, password, *, kind):
    return render(
        request,
        "surveys/people/password_shown.html",
        {
            "account": account,
            "password": password,
            "kind": kind,
            "title": "密码已重置" if kind == "reset" else "已更换支部书记",
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )


# One secretary, one branch ---------------------------------------------------------------


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    if request.method == "POST":
        try:
            password = accounts.password_reset(user=request.user, secretary=secretary)
        except accounts.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("people")
        response = redirect("people_password_reset_done", secretary.pk)
        return _hold_password(
            request, response, f"reset:{secretary.pk}", account=secretary, password=password
        )
    return render(request, "surveys/people/password_reset.html", {"account": secretary})


@office_required
@never_cache
def password_reset_done(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    _, password = _take_password(request, f"reset:{secretary.pk}")
    return _password_page(request, secretary, password, kind="reset")


@office_required
@require_http_methods(["GET", "POST"])
def branch_deactivate(request, branch_id):
    branch = get_object_or_404(Branch.objects.select_related("unit"), pk=branch_id)
    if request.method == "POST":
        try:
            accounts.branch_deactivate(user=request.user, branch=branch)
        except accounts.AccountError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已停用“{branch.name}”及其书记账号。")
        return redirect("people")
    secretaries = branch.secretaries.filter(is_active=True)
    return render(
        request,
        "surveys/people/branch_deactivate.html",
        {"branch": branch, "secretaries": secretaries},
    )


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def branch_reactivate(request, branch_id):
    branch = get_object_or_404(Branch.objects.select_related("unit"), pk=branch_id)
    if request.method == "POST":
        try:
            branch, secretary = accounts.branch_reactivate(
                user=request.user,
                branch=branch,
                restore_secretary="restore_secretary" in request.POST,
            )
        except accounts.AccountError as exc:
            messages.error(request, str(exc))
        else:
            if secretary is not None:
                messages.success(
                    request,
                    f"已重新启用“{branch.name}”，书记账号 {secretary.username} 可用原密码登录。",
                )
            else:
                messages.success(
                    request, f"已重新启用“{branch.name}”。请点“更换书记”为该支部指定书记。"
                )
        return redirect("people")
    if branch.is_active:
        messages.info(request, f"“{branch.name}”已经是启用状态。")
        return redirect("people")
    return render(
        request,
        "surveys/people/branch_reactivate.html",
        {"branch": branch, "secretary": accounts.former_secretary(branch)},
    )


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def branch_handover(request, branch_id):
    branch = get_object_or_404(Branch.objects.select_related("unit"), pk=branch_id)
    if not branch.is_active:
        messages.error(request, f"“{branch.name}”已停用，不能更换书记。")
        return redirect("people")
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            secretary, password = accounts.secretary_handover(
                user=request.user,
                branch=branch,
                new_user=data["existing"] if data["mode"] == "existing" else None,
                name=data["name"],
                phone=data["phone"],
                username=data["username"],
            )
        except accounts.AccountError as exc:
            messages.error(request, str(exc))
        else:
            if password:
                response = redirect("people_branch_handover_done", branch.pk)
                return _hold_password(
                    request, response, f"handover:{branch.pk}", account=secretary, password=password
                )
            messages.success(request, f"“{branch.name}”的书记已更换为 {secretary.display_name}。")
            return redirect("people")
    current = branch.secretaries.filter(is_active=True)
    return render(
        request,
        "surveys/people/handover.html",
        {"branch": branch, "form": form, "current": current},
    )


@office_required
@never_cache
def branch_handover_done(request, branch_id):
    branch = get_object_or_404(Branch, pk=branch_id)
    account_id, password = _take_password(request, f"handover:{branch.pk}")
    secretaries = User.objects.select_related("branch__unit").filter(role=User.Role.SECRETARY)
    if account_id is not None:
        account = secretaries.filter(pk=account_id).first()
    else:
        account = secretaries.filter(branch=branch, is_active=True).first()
    return _password_page(request, account, password if account else None, kind="handover")


# Everyone's own password -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "registration/password_change_form.html",
        {"form": form, "forced": request.user.must_change_password},
    )
