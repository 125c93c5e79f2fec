"""Forms of the rater pages: the rater's sheet built from the questionnaire's items, the
typed code, and the office's settings, groups and code counts."""

from django import forms

from surveys.ratings.instrument import MAX_FILE_BYTES
from surveys.ratings.models import Audience, RaterItem
from surveys.ratings.services import MAX_CODES, MAX_COMMENT

UNKNOWN = "unknown"
SCALE_CHOICES = [
    ("5", "很同意"),
    ("4", "同意"),
    ("3", "一般"),
    ("2", "不同意"),
    ("1", "很不同意"),
    (UNKNOWN, "不了解"),
]
SATISFACTION_CHOICES = [("3", "满意"), ("2", "基本满意"), ("1", "不满意"), (UNKNOWN, "不了解")]
ANSWER_REQUIRED = "请选择一项（不清楚可选“不了解”）。"


def field_name(item):
    return f"item_{item.pk}"


class RaterForm(forms.Form):
    """One field per item, in order; every scored item must be answered (不了解 counts)."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            if item.kind == RaterItem.Kind.TEXT:
                self.fields[field_name(item)] = forms.CharField(
                    label=item.text,
                    required=False,
                    max_length=MAX_COMMENT,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
                continue
            choices = SCALE_CHOICES if item.kind == RaterItem.Kind.SCALE else SATISFACTION_CHOICES
            self.fields[field_name(item)] = forms.ChoiceField(
                label=item.text,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": ANSWER_REQUIRED, "invalid_choice": ANSWER_REQUIRED},
            )

    def rows(self):
        """(number, item, bound field) in order, for the template."""
        return [(n, item, self[field_name(item)]) for n, item in enumerate(self.items, start=1)]

    def answers(self):
        """The service's answers: item id → value, None for 不了解."""
        result = {}
        for item in self.items:
            if item.kind == RaterItem.Kind.TEXT:
                continue
            raw = self.cleaned_data[field_name(item)]
            result[item.pk] = None if raw == UNKNOWN else int(raw)
        return result

    def comment(self):
        text_items = [i for i in self.items if i.kind == RaterItem.Kind.TEXT]
        return self.cleaned_data.get(field_name(text_items[0]), "") if text_items else ""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="评议码",
        max_length=40,
        error_messages={"required": "请输入纸条上的评议码。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class GroupsAddForm(forms.Form):
    audience = forms.ChoiceField(
        label="评议类型",
        choices=Audience.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class SettingsForm(forms.Form):
    min_raters = forms.IntegerField(
        label="最少评议人数",
        min_value=2,
        max_value=1000,
        help_text="某组评议人数少于此数时只显示“样本不足”，不显示分数。",
        error_messages={
            "required": "请填写最少评议人数。",
            "min_value": "最少评议人数不能少于 2 人。",
            "invalid": "请填写整数。",
        },
    )


def _weight(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        error_messages={
            "required": f"请填写{label}。",
            "min_value": f"{label}不能为负数。",
            "max_value": f"{label}不能超过 100。",
            "invalid": f"{label}请填写整数。",
        },
    )


class CompareSettingsForm(forms.Form):
    """The composite's weights (percent, summing to 100) and the 自评偏高 margin."""

    weight_self = _weight("自评权重")
    weight_members = _weight("党员评议权重")
    weight_public = _weight("群众评议权重")
    gap_margin = forms.FloatField(
        label="自评偏高阈值（分）",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "请填写自评偏高阈值。",
            "min_value": "自评偏高阈值不能为负数。",
            "max_value": "自评偏高阈值不能超过 100 分。",
            "invalid": "自评偏高阈值请填写数字。",
        },
    )

    def clean(self):
        data = super().clean()
        keys = ("weight_self", "weight_members", "weight_public")
        if all(key in data for key in keys):
            total = sum(data[key] for key in keys)
            if total != 100:
                raise forms.ValidationError(f"三方权重之和必须为 100（现在是 {total}）。")
        return data

    def weights(self):
        data = self.cleaned_data
        return {
            "self": data["weight_self"],
            "members": data["weight_members"],
            "public": data["weight_public"],
        }


class IssueForm(forms.Form):
    count = forms.IntegerField(
        label="生成数量",
        min_value=1,
        max_value=MAX_CODES,
        error_messages={
            "required": "请填写要生成的评议码数量。",
            "min_value": "至少生成 1 个。",
            "max_value": f"每次最多生成 {MAX_CODES} 个。",
            "invalid": "请填写整数。",
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="评议问卷文件（Excel、JSON 或 YAML）",
        error_messages={"required": "请选择要载入的评议问卷文件。", "empty": "文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json,.yaml,.yml"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"文件过大（最大 {MAX_FILE_BYTES // 1000} KB），请检查是否选错了文件。"
            )
        return upload
