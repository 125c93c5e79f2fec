"""Forms of the people pages: handing a branch to a new secretary, and one's own password."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError

from surveys.organisation import import_sheet, services
from surveys.organisation.models import User


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
        max_length=services.USERNAME_MAX,
        required=False,
        help_text="英文字母、数字和 _ . - @ +；初始密码将在提交后显示一次。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = services.handover_candidates()

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
        if phone and services.phone_problem(phone):
            self.add_error("phone", services.phone_problem(phone) + "。")
        if username:
            if services.username_problem(username):
                self.add_error("username", services.username_problem(username) + "。")
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


class EmailForm(forms.Form):
    email = forms.CharField(
        label="邮箱",
        max_length=254,
        required=False,
        help_text="填写后催报会同时发送邮件；留空则只在系统内提醒。",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email and services.email_problem(email):
            raise ValidationError(services.email_problem(email) + "。")
        return email
