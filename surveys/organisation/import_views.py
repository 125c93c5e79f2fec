"""The office's bulk import of units, branches and secretaries: upload, preview, commit,
and the new accounts' initial passwords, shown (and downloadable) once."""

import hashlib
import json
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from surveys.core import downloads
from surveys.core.permissions import office_required
from surveys.organisation import import_commit, import_plan, import_sheet, passwords
from surveys.organisation.passwords import CREDENTIALS

PENDING = "people_import"  # the uploaded file awaiting commit: token, sha256, name, digest
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STALE_UPLOAD_SECONDS = 24 * 3600


class UploadForm(forms.Form):
    file = forms.FileField(
        label="名单文件（.xlsx）",
        help_text="请使用下载的模板填写，文件不超过 2 MB、5000 行。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_sheet.MAX_BYTES:
            raise ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 2 MB。")
        return upload


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
            plan = import_plan.preview(content)
        except import_sheet.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if not plan.errors:
                _stash(request, content, upload.name, plan.digest())
                return redirect("people_import_preview")
            errors = plan.errors
    return _upload_page(request, form, errors)


def _upload_page(request, form, errors=()):
    return render(
        request,
        "surveys/organisation/import.html",
        {"form": form, "errors": errors[:500], "error_count": len(errors)},
    )


@office_required
def people_import_preview(request):
    content, meta = _pending(request)
    if content is None:
        messages.warning(request, "没有待确认的导入，请重新上传名单文件。")
        return redirect("people_import")
    try:
        plan = import_plan.preview(content)
    except import_sheet.ImportFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("people_import")
    if plan.errors:
        _discard_pending(request)
        return _upload_page(request, UploadForm(), plan.errors)
    # Commit applies exactly what the office last saw here, or refuses.
    meta["digest"] = plan.digest()
    request.session[PENDING] = meta
    return render(
        request,
        "surveys/organisation/preview.html",
        {
            "plan": plan,
            "filename": meta["name"],
            "summary": import_plan.summary(plan),
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
        result = import_commit.import_commit(
            user=request.user,
            content=content,
            filename=meta["name"],
            expected_digest=meta["digest"],
        )
    except import_sheet.ImportFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("people_import")
    except import_commit.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("people_import_preview")
    _discard_pending(request)
    if not result.plan.has_changes:
        messages.info(request, "名单与系统中的数据一致，没有做任何更改。")
        return redirect("people")
    response = redirect("people_import_done")
    request.session[CREDENTIALS] = {
        "sealed": passwords.seal_for_browser(
            request, response, json.dumps(result.credentials, ensure_ascii=False)
        ),
        "count": len(result.credentials),
        "shown": False,
        "summary": import_plan.summary(result.plan),
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
        rows = passwords.open_record(request, record)
        credentials = json.loads(rows) if rows is not None else None
        if credentials is None:
            del request.session[CREDENTIALS]
        else:
            record["shown"] = True  # kept, sealed, for the one download from this page
            request.session[CREDENTIALS] = record
    return render(
        request,
        "surveys/organisation/import_done.html",
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
    rows = passwords.open_record(request, record) if record and record.get("count") else None
    if rows is None:
        messages.error(
            request, "初始密码只能在导入结果页上下载一次。如有遗失，请为该书记重置密码。"
        )
        return redirect("people")
    # With the phone number, so the office can send each secretary their own login.
    rows = [
        [r["username"], r["name"], r.get("phone", ""), r["branch"], r["password"]]
        for r in json.loads(rows)
    ]
    sheet = downloads.Sheet(
        "初始密码", ["账号", "姓名", "手机号", "支部", "初始密码"], rows, widths=22
    )
    response = downloads.xlsx_response(downloads.xlsx_bytes([sheet]), "初始密码.xlsx")
    response["Cache-Control"] = "no-store"
    return response
