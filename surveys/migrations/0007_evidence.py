# Evidence (佐证材料, issue 12): a question's evidence rule, and the files attached to answers.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The standard instrument as it was before evidence rules, and as it is with them. A database
# that loaded the old file gets the same rules, so `load_questionnaire` after an upgrade
# finds the version unchanged instead of refusing a frozen version whose file changed.
STANDARD_BEFORE = "021f9208b133844e102dd75ab70cda0ba33173a03a9a1a02d73a95ba2fb67333"
STANDARD_AFTER = "b8871553bd22002b71fbd79e7bf1b6707cbf3ebd01f6235de70c97c4a1f50de6"
STANDARD_ALLOWED = ["XYF1", "XYF2", "ZZ01", "ZZF1", "ZZF2", "HLF1", "HLF2", "XYT1", "ZZT1", "HLT1"]


def standard_evidence(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    for questionnaire in Questionnaire.objects.filter(
        code="standard", version=1, source_sha256=STANDARD_BEFORE
    ):
        Question.objects.filter(questionnaire=questionnaire, code__in=STANDARD_ALLOWED).update(
            evidence="allowed"
        )
        questionnaire.source_sha256 = STANDARD_AFTER
        questionnaire.save(update_fields=["source_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_round_name_unique_email_changed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="evidence",
            field=models.CharField(
                choices=[("none", "不需要"), ("allowed", "可上传"), ("required", "必须上传")],
                default="none",
                max_length=16,
                verbose_name="佐证材料",
            ),
        ),
        migrations.RunPython(standard_evidence, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),  # noqa: E501
                ("kind", models.CharField(choices=[("image", "照片"), ("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel")], max_length=8, verbose_name="类型")),  # noqa: E501
                ("original_name", models.CharField(max_length=200, verbose_name="原文件名")),
                ("file", models.FileField(max_length=200, upload_to="evidence/", verbose_name="文件")),  # noqa: E501
                ("thumbnail", models.FileField(blank=True, max_length=200, upload_to="evidence/", verbose_name="缩略图")),  # noqa: E501
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="上传时间")),  # noqa: E501
                ("submitted_in", models.PositiveIntegerField(blank=True, null=True, verbose_name="首次随第几次提交")),  # noqa: E501
                ("removed_before", models.PositiveIntegerField(blank=True, null=True, verbose_name="自第几次提交起移除")),  # noqa: E501
                ("question", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="evidence_files", to="surveys.question")),  # noqa: E501
                ("submission", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="evidence_files", to="surveys.submission")),  # noqa: E501
                ("uploaded_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),  # noqa: E501
            ],
            options={
                "verbose_name": "佐证材料",
                "verbose_name_plural": "佐证材料",
                "ordering": ["submission", "question", "uploaded_at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("removed_before__isnull", True),
                            models.Q(
                                ("submitted_in__isnull", False),
                                ("removed_before__gt", models.F("submitted_in")),
                            ),
                            _connector="OR",
                        ),
                        name="evidence_removed_after_submitted",
                    )
                ],
            },
        ),
    ]
