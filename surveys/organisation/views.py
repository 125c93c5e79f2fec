"""Logging in (and the page a locked-out login gets), and the office's people pages: the
organisation list, password resets, lifting a login lockout, deactivating and reactivating a
branch, handing a branch over; and everyone's own password change. The bulk import is in
import_views.py; how a new password is shown once, in passwords.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from surveys.core.downloads import xlsx_response
from surveys.core.permissions import office_required
from surveys.organisation import import_sheet, passwords, services
from surveys.organisation.forms import EmailForm, HandoverForm, OwnPasswordChangeForm
from surveys.organisation.models import Branch, User


def _login_extra():
    extra = {}
    if settings.RONGHE_DEMO:
        extra["demo_accounts"] = _demo_accounts()
        extra["demo_password"] = settings.RONGHE_DEMO_PASSWORD
    return extra


def login_view(request):
    return auth_views.LoginView.as_view(
        template_name="registration/login.html",
        redirect_authenticated_user=True,
        extra_context=_login_extra(),
    )(request)


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets, on the login page and on /admin/login/ alike
    (settings.AXES_LOCKOUT_CALLABLE): the login page again, status 429, saying when to try
    again, with the typed username still in its box."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    failed_at = getattr(request, "axes_attempt_time", None) or timezone.now()
    until = timezone.localtime(services.lockout_end(failed_at))
    minutes = round((until - failed_at).total_seconds() / 60)
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "lockout_message": (
            f"登录失败次数过多，请于 {minutes} 分钟后（{until:%H:%M}）再试，或联系机关工委解锁。"
        ),
        **_login_extra(),
    }
    return render(request, "registration/login.html", context, status=429)


def _demo_accounts():
    office = list(User.objects.filter(role=User.Role.OFFICE, is_active=True).order_by("id")[:2])
    secretaries = list(
        User.objects.filter(role=User.Role.SECRETARY, is_active=True)
        .select_related("branch")
        .order_by("branch__unit__order", "branch__code")[:4]
    )
    return office + secretaries


@office_required
def people(request):
    units = list(services.units_with_people())
    branches = [b for u in units for b in u.branches.all()]
    locked = list(services.locked_accounts())
    for account in locked:
        account.locked_until = services.lockout_end(account.locked_at)
    until = {account.pk: account.locked_until for account in locked}
    for branch in branches:
        for secretary in branch.secretaries.all():
            secretary.locked_until = until.get(secretary.pk)
    return render(
        request,
        "surveys/organisation/people.html",
        {
            "units": units,
            "locked": locked,
            "branch_count": sum(b.is_active for b in branches),
            "inactive_count": sum(not b.is_active for b in branches),
        },
    )


@office_required
@require_http_methods(["GET", "POST"])
def account_unlock(request, user_id):
    account = get_object_or_404(User.objects.select_related("branch__unit"), pk=user_id)
    if request.method == "POST":
        if services.account_unlock(user=request.user, account=account):
            messages.success(
                request, f"已解除 {account.display_name}（{account.username}）的登录锁定。"
            )
        else:
            messages.info(request, f"{account.display_name}（{account.username}）当前没有被锁定。")
        return redirect("people")
    return render(request, "surveys/organisation/account_unlock.html", {"account": account})


@office_required
@require_http_methods(["GET", "POST"])
def secretary_email(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    form = EmailForm(request.POST or None, initial={"email": secretary.email})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.secretary_email_set(
                user=request.user, secretary=secretary, email=form.cleaned_data["email"]
            )
        except services.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            if not changed:
                messages.info(request, "邮箱没有变化。")
            elif form.cleaned_data["email"]:
                messages.success(
                    request,
                    f"已将{secretary.display_name}的邮箱改为 {form.cleaned_data['email']}。",
                )
            else:
                messages.success(
                    request, f"已清除{secretary.display_name}的邮箱，催报将只在系统内提醒。"
                )
            return redirect(f"{reverse('people')}#branch-{secretary.branch.code}")
    return render(request, "surveys/organisation/email.html", {"account": secretary, "form": form})


@office_required
def people_template(request):
    return xlsx_response(import_sheet.template_xlsx(), "组织与账号导入模板.xlsx")


@office_required
def people_export(request):
    return xlsx_response(
        import_sheet.template_xlsx(import_sheet.current_rows()), "组织与账号名单.xlsx"
    )


def _password_page(request, account, password, *, kind):
    return render(
        request,
        "surveys/organisation/password_shown.html",
        {
            "account": account,
            "password": password,
            "kind": kind,
            "title": "密码已重置" if kind == "reset" else "已更换支部书记",
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    if request.method == "POST":
        try:
            password = services.password_reset(user=request.user, secretary=secretary)
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("people")
        response = redirect("people_password_reset_done", secretary.pk)
        return passwords.hold(
            request, response, f"reset:{secretary.pk}", account=secretary, password=password
        )
    return render(request, "surveys/organisation/password_reset.html", {"account": secretary})


@office_required
@never_cache
def password_reset_done(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    _, password = passwords.take(request, f"reset:{secretary.pk}")
    return _password_page(request, secretary, password, kind="reset")


@office_required
@require_http_methods(["GET", "POST"])
def branch_deactivate(request, branch_id):
    branch = get_object_or_404(Branch.objects.select_related("unit"), pk=branch_id)
    if request.method == "POST":
        try:
            services.branch_deactivate(user=request.user, branch=branch)
        except services.AccountError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已停用“{branch.name}”及其书记账号。")
        return redirect("people")
    secretaries = branch.secretaries.filter(is_active=True)
    return render(
        request,
        "surveys/organisation/branch_deactivate.html",
        {"branch": branch, "secretaries": secretaries},
    )


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def branch_reactivate(request, branch_id):
    branch = get_object_or_404(Branch.objects.select_related("unit"), pk=branch_id)
    if request.method == "POST":
        try:
            branch, secretary = services.branch_reactivate(
                user=request.user,
                branch=branch,
                restore_secretary="restore_secretary" in request.POST,
            )
        except services.AccountError as exc:
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
        "surveys/organisation/branch_reactivate.html",
        {"branch": branch, "secretary": services.former_secretary(branch)},
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
            secretary, password = services.secretary_handover(
                user=request.user,
                branch=branch,
                new_user=data["existing"] if data["mode"] == "existing" else None,
                name=data["name"],
                phone=data["phone"],
                username=data["username"],
            )
        except services.AccountError as exc:
            messages.error(request, str(exc))
        else:
            if password:
                response = redirect("people_branch_handover_done", branch.pk)
                return passwords.hold(
                    request, response, f"handover:{branch.pk}", account=secretary, password=password
                )
            messages.success(request, f"“{branch.name}”的书记已更换为 {secretary.display_name}。")
            return redirect("people")
    current = branch.secretaries.filter(is_active=True)
    return render(
        request,
        "surveys/organisation/handover.html",
        {"branch": branch, "form": form, "current": current},
    )


@office_required
@never_cache
def branch_handover_done(request, branch_id):
    branch = get_object_or_404(Branch, pk=branch_id)
    account_id, password = passwords.take(request, f"handover:{branch.pk}")
    secretaries = User.objects.select_related("branch__unit").filter(role=User.Role.SECRETARY)
    if account_id is not None:
        account = secretaries.filter(pk=account_id).first()
    else:
        account = secretaries.filter(branch=branch, is_active=True).first()
    return _password_page(request, account, password if account else None, kind="handover")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "registration/password_change_form.html",
        {"form": form, "forced": request.user.must_change_password},
    )
