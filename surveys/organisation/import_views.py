"""The office's bulk import of units, branches and secretaries: upload, preview, commit,
and the new accounts' initial passwords, shown (and downloadable) once."""

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from surveys.core import downloads
from surveys.core.permissions import office_required
from surveys.organisation import import_commit, import_plan, import_sheet, import_stash, passwords
from surveys.organisation.forms import UploadForm
from surveys.organisation.passwords import CREDENTIALS


@office_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        import_stash.discard(request.session)  # a new upload replaces any earlier one, good or bad
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            plan = import_plan.preview(content)
        except import_sheet.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if not plan.errors:
                import_stash.stash(
                    request.session, content=content, name=upload.name, digest=plan.digest()
                )
                return redirect("people_import_preview")
            return _upload_page(request, form, plan)
    return _upload_page(request, form)


def _sections(plan):
    return [
        ("单位", plan.of("unit")),
        ("党支部", plan.of("branch")),
        ("书记账号", plan.of("secretary")),
    ]


def _upload_page(request, form, plan=None):
    """The upload form; after a sheet with errors, the errors and what the good rows would
    do, so the office corrects the bad rows in the same file and uploads it again."""
    errors = plan.errors if plan else []
    return render(
        request,
        "surveys/organisation/import.html",
        {
            "form": form,
            "errors": errors[:500],
            "error_count": len(errors),
            "plan": plan,
            "summary": import_plan.summary(plan) if plan else "",
            "sections": _sections(plan) if plan and plan.items else [],
        },
    )


@office_required
def people_import_preview(request):
    content, meta = import_stash.pending(request.session)
    if content is None:
        messages.warning(request, "没有待确认的导入，请重新上传名单文件。")
        return redirect("people_import")
    try:
        plan = import_plan.preview(content)
    except import_sheet.ImportFileError as exc:
        import_stash.discard(request.session)
        messages.error(request, str(exc))
        return redirect("people_import")
    if plan.errors:
        import_stash.discard(request.session)
        return _upload_page(request, UploadForm(), plan)
    # Commit applies exactly what the office last saw here, or refuses.
    import_stash.shown(request.session, meta, plan.digest())
    return render(
        request,
        "surveys/organisation/preview.html",
        {
            "plan": plan,
            "filename": meta["name"],
            "summary": import_plan.summary(plan),
            "sections": _sections(plan),
        },
    )


@office_required
@require_POST
def people_import_commit(request):
    content, meta = import_stash.pending(request.session)
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
        import_stash.discard(request.session)
        messages.error(request, str(exc))
        return redirect("people_import")
    except import_commit.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("people_import_preview")
    import_stash.discard(request.session)
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
        "new_branches": [b.key for b in result.plan.of("branch") if b.action == import_plan.CREATE],
    }
    return response


@office_required
@require_POST
def people_import_cancel(request):
    import_stash.discard(request.session)
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
            "new_branch_count": len(record.get("new_branches", [])),
            "rounds_missing": import_plan.rounds_missing(
                record.get("new_branches", []), now=timezone.now()
            ),
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
    # download_response already says "private, no-store": no copy of the passwords is kept.
    return downloads.xlsx_response(downloads.xlsx_bytes([sheet]), "初始密码.xlsx")
