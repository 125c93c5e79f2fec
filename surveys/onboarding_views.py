"""The office's people pages: the organisation list, password resets, deactivating and
reactivating a branch, handing a branch over; and everyone's own password change. The bulk
import is in surveys/import_views.py; how a new password is shown once, in
surveys/held_passwords.py."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from surveys import accounts, held_passwords, onboarding
from surveys.models import Branch, User
from surveys.office_views import XLSX
from surveys.views import office_required

# Forms -----------------------------------------------------------------------------------


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
        return held_passwords.hold(
            request, response, f"reset:{secretary.pk}", account=secretary, password=password
        )
    return render(request, "surveys/people/password_reset.html", {"account": secretary})


@office_required
@never_cache
def password_reset_done(request, user_id):
    secretary = get_object_or_404(
        User.objects.select_related("branch__unit"), pk=user_id, role=User.Role.SECRETARY
    )
    _, password = held_passwords.take(request, f"reset:{secretary.pk}")
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
                return held_passwords.hold(
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
    account_id, password = held_passwords.take(request, f"handover:{branch.pk}")
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
