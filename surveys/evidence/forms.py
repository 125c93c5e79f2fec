"""The form side of evidence sent with a form (a task's progress report, an appeal): the
several-files field and the checks a form makes of it, before anything is written."""

from django import forms

from surveys.evidence import files
from surveys.evidence.files import EvidenceFileError
from surveys.evidence.uploads import FilesRefused

PICK = "手机上可直接拍照或从相册、文件中选择，可一次选多个。"
NOT_SENT = "您选择的文件尚未上传：请改正上面的问题，再重新选择文件后提交。"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """The uploaded files as a list; the checks are the form's (EvidenceFormMixin)."""

    widget = MultipleFileInput

    def to_python(self, value):
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


def evidence_field(limits_text, *, attrs=None) -> MultipleFileField:
    """The optional 佐证材料 field, stating the caller's `limits_text`; `attrs` for its input."""
    return MultipleFileField(
        label="佐证材料（可选）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": files.ACCEPT, **(attrs or {})}),
        help_text=PICK + limits_text,
    )


class EvidenceFormMixin:
    """A form with an `evidence` field (evidence_field): every file checked and processed in
    clean_evidence, before anything is written; the refusals name each file and the typed
    text stays on the page. A form sets `reselect` (what to do after refused files: a browser
    never keeps chosen files on a re-shown page) and `prepare_evidence(uploads)`, the
    caller's uploads.prepare_all with its caps."""

    reselect = ""

    def prepare_evidence(self, uploads):
        raise NotImplementedError

    def clean_evidence(self):
        uploads, errors = [], []
        for upload in self.cleaned_data["evidence"] or []:
            try:
                files.check_size(upload.name, upload.size)  # before it is read into memory
            except EvidenceFileError as exc:
                errors.append(str(exc))
                continue
            uploads.append((upload.name, upload.read(files.MAX_FILE_BYTES + 1)))
        try:
            prepared = self.prepare_evidence(uploads)
        except FilesRefused as exc:
            errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError([*errors, self.reselect])
        return prepared

    def clean(self):
        data = super().clean()
        if self.errors and "evidence" not in self.errors and data.get("evidence"):
            self.add_error("evidence", NOT_SENT)
        return data
