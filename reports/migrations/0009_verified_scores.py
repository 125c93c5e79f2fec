"""Self-assessed scores beside the counted (verified, 考评) ones, issue 12. Scores stored
before verification existed are self-assessed: their self numbers are the counted ones."""

from django.db import migrations, models
from django.db.models import F


def copy_self_scores(apps, schema_editor):
    SubmissionScore = apps.get_model("reports", "SubmissionScore")
    DimensionScore = apps.get_model("reports", "DimensionScore")
    SubmissionScore.objects.update(self_index=F("index"), self_grade=F("grade"))
    dims = {}
    for score_of_id, code, value in DimensionScore.objects.values_list(
        "score_of_id", "dimension__code", "score"
    ).iterator(chunk_size=5000):
        dims.setdefault(score_of_id, {})[code] = value
    batch = []
    for score in SubmissionScore.objects.only("pk").iterator(chunk_size=2000):
        score.self_dimensions = dims.get(score.pk, {})
        batch.append(score)
        if len(batch) >= 1000:
            SubmissionScore.objects.bulk_update(batch, ["self_dimensions"])
            batch = []
    if batch:
        SubmissionScore.objects.bulk_update(batch, ["self_dimensions"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_rectification")]

    operations = [
        migrations.AddField(
            model_name="submissionscore",
            name="self_dimensions",
            field=models.JSONField(default=dict, verbose_name="自评分维度得分"),
        ),
        migrations.AddField(
            model_name="submissionscore",
            name="self_grade",
            field=models.CharField(blank=True, max_length=16, verbose_name="自评等次"),
        ),
        migrations.AddField(
            model_name="submissionscore",
            name="self_index",
            field=models.FloatField(null=True, verbose_name="自评融合度指数"),
        ),
        migrations.AddField(
            model_name="submissionscore",
            name="verified",
            field=models.BooleanField(default=False, verbose_name="已考评调整"),
        ),
        migrations.RunPython(copy_self_scores, migrations.RunPython.noop),
    ]
