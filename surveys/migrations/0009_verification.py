"""Verification (考评), publication (公示) and appeal (申诉), issue 12."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0008_ratings")]

    operations = [
        migrations.CreateModel(
            name="Appeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="申诉的提交版本")),
                ("text", models.TextField(verbose_name="申诉理由")),
                (
                    "lodged_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="申诉时间"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "待处理"), ("upheld", "维持"), ("adjusted", "调整")],
                        default="open",
                        max_length=16,
                        verbose_name="处理结果",
                    ),
                ),
                ("decision_reason", models.TextField(blank=True, verbose_name="处理理由")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="处理时间"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lodged_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="appeal",
                        to="surveys.submission",
                    ),
                ),
            ],
            options={
                "verbose_name": "申诉",
                "verbose_name_plural": "申诉",
            },
        ),
        migrations.CreateModel(
            name="RoundPublication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "appeal_days",
                    models.PositiveSmallIntegerField(default=5, verbose_name="申诉期（天）"),
                ),
                (
                    "overclaim_margin",
                    models.FloatField(default=10.0, verbose_name="自评偏高阈值（分）"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="公示时间"),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "round",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="verification_publication",
                        to="surveys.round",
                    ),
                ),
            ],
            options={
                "verbose_name": "考评公示",
                "verbose_name_plural": "考评公示",
            },
        ),
        migrations.CreateModel(
            name="Verification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="第几次提交")),
                ("version", models.PositiveIntegerField(default=0, verbose_name="考评版本")),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="考评时间"
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="verifications",
                        to="surveys.submission",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "考评",
                "verbose_name_plural": "考评",
            },
        ),
        migrations.CreateModel(
            name="VerifiedAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.JSONField(verbose_name="考评值")),
                ("reason", models.TextField(verbose_name="考评依据")),
                (
                    "verified_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="考评时间"
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.question",
                    ),
                ),
                (
                    "verification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="surveys.verification",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "考评值",
                "verbose_name_plural": "考评值",
            },
        ),
        migrations.AddConstraint(
            model_name="verification",
            constraint=models.UniqueConstraint(
                fields=("submission", "number"), name="verification_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="verifiedanswer",
            constraint=models.UniqueConstraint(
                fields=("verification", "question"), name="verified_answer_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="verifiedanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(("reason", ""), _negated=True),
                name="verified_answer_has_reason",
                violation_error_message="请填写考评依据。",
            ),
        ),
    ]
