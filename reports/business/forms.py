"""The business-results upload form."""

from django import forms

from reports.business import sheet


class UploadForm(forms.Form):
    file = forms.FileField(
        label="业务绩效表（.xlsx）",
        help_text=f"使用本页的模板填写；文件不超过 {sheet.MAX_BYTES // 1024 // 1024} MB。",
        error_messages={"required": "请选择要上传的文件。"},
    )
