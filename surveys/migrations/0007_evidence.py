# Evidence (佐证材料, issue 12): a question's evidence rule, and the files attached to answers.
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
    dependencies = [("surveys", "0006_round_name_unique_email_changed")]

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
    ]
