# The rater work (issue 13): rater questionnaires, groups, one-time codes, anonymous responses.

import uuid

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_evidence"),
    ]

    operations = [
        migrations.CreateModel(
            name="RaterItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=32, verbose_name="题目编码")),
                ("order", models.PositiveIntegerField(verbose_name="顺序")),
                ("text", models.CharField(max_length=500, verbose_name="题目内容")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("scale", "五级量表"),
                            ("satisfaction", "总体满意度"),
                            ("text", "文字"),
                        ],
                        max_length=16,
                        verbose_name="题型",
                    ),
                ),
                (
                    "dimension_code",
                    models.CharField(blank=True, max_length=32, verbose_name="维度编码"),
                ),
                (
                    "dimension_name",
                    models.CharField(blank=True, max_length=100, verbose_name="维度名称"),
                ),
                (
                    "cause",
                    models.CharField(
                        blank=True,
                        choices=[("xuhua", "虚化"), ("ruohua", "弱化"), ("fenhua", "分化")],
                        max_length=16,
                        verbose_name="成因",
                    ),
                ),
                ("reverse", models.BooleanField(default=False, verbose_name="反向计分")),
                ("required", models.BooleanField(default=True, verbose_name="必答")),
            ],
            options={
                "verbose_name": "评议题目",
                "verbose_name_plural": "评议题目",
                "ordering": ["questionnaire", "order"],
            },
        ),
        migrations.CreateModel(
            name="RaterGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "audience",
                    models.CharField(
                        choices=[("members", "党员评议"), ("public", "群众评议")],
                        max_length=16,
                        verbose_name="评议类型",
                    ),
                ),
                (
                    "straight_lined",
                    models.PositiveIntegerField(default=0, verbose_name="整齐划一答卷数"),
                ),
                (
                    "branch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.branch",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rater_groups",
                        to="surveys.round",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议组",
                "verbose_name_plural": "评议组",
                "ordering": ["round", "audience", "unit__order", "branch__code", "id"],
            },
        ),
        migrations.CreateModel(
            name="RaterCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True, verbose_name="评议码摘要")),
                ("used", models.BooleanField(default=False, verbose_name="已使用")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="surveys.ratergroup",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议码",
                "verbose_name_plural": "评议码",
            },
        ),
        migrations.CreateModel(
            name="RaterComment",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("text", models.TextField(verbose_name="意见建议")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="surveys.ratergroup",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="comments",
                        to="surveys.rateritem",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议意见",
                "verbose_name_plural": "评议意见",
                "ordering": ["text", "id"],
            },
        ),
        migrations.CreateModel(
            name="RaterQuestionnaire",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=32, verbose_name="问卷编码")),
                ("version", models.PositiveIntegerField(verbose_name="版本号")),
                (
                    "audience",
                    models.CharField(
                        choices=[("members", "党员评议"), ("public", "群众评议")],
                        max_length=16,
                        verbose_name="评议类型",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="问卷名称")),
                ("description", models.TextField(blank=True, verbose_name="问卷说明")),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="文件摘要")),
            ],
            options={
                "verbose_name": "评议问卷",
                "verbose_name_plural": "评议问卷",
                "ordering": ["audience", "code", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("code", "version"), name="rater_questionnaire_version"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="rateritem",
            name="questionnaire",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="surveys.raterquestionnaire",
            ),
        ),
        migrations.AddField(
            model_name="ratergroup",
            name="questionnaire",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="groups",
                to="surveys.raterquestionnaire",
            ),
        ),
        migrations.CreateModel(
            name="RaterResponse",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="surveys.ratergroup",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议答卷",
                "verbose_name_plural": "评议答卷",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="RaterAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "value",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="答案"),
                ),
                ("unknown", models.BooleanField(default=False, verbose_name="不了解")),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="surveys.rateritem",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="surveys.raterresponse",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议答案",
                "verbose_name_plural": "评议答案",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="RatingSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "min_raters",
                    models.PositiveSmallIntegerField(default=5, verbose_name="最少评议人数"),
                ),
                (
                    "weight_self",
                    models.PositiveSmallIntegerField(default=30, verbose_name="自评权重"),
                ),
                (
                    "weight_members",
                    models.PositiveSmallIntegerField(default=40, verbose_name="党员评议权重"),
                ),
                (
                    "weight_public",
                    models.PositiveSmallIntegerField(default=30, verbose_name="群众评议权重"),
                ),
                ("gap_margin", models.FloatField(default=10, verbose_name="自评偏高阈值")),
                (
                    "round",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rating_settings",
                        to="surveys.round",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议设置",
                "verbose_name_plural": "评议设置",
            },
        ),
        migrations.AddConstraint(
            model_name="rateritem",
            constraint=models.UniqueConstraint(
                fields=("questionnaire", "code"), name="rater_item_code"
            ),
        ),
        migrations.AddConstraint(
            model_name="rateritem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "scale"), _negated=True),
                    models.Q(
                        models.Q(("dimension_code", ""), _negated=True),
                        models.Q(("cause", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="rater_scale_item_tagged",
                violation_error_message="计分题必须标注维度和成因。",
            ),
        ),
        migrations.AddConstraint(
            model_name="ratergroup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("audience", "members"), ("branch__isnull", False), ("unit__isnull", True)
                    ),
                    models.Q(
                        ("audience", "public"), ("branch__isnull", True), ("unit__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="rater_group_target",
                violation_error_message="党员评议须对应支部，群众评议须对应单位。",
            ),
        ),
        migrations.AddConstraint(
            model_name="ratergroup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("audience", "members")),
                fields=("round", "branch"),
                name="rater_group_round_branch",
            ),
        ),
        migrations.AddConstraint(
            model_name="ratergroup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("audience", "public")),
                fields=("round", "unit"),
                name="rater_group_round_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="rateranswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("unknown", True), ("value__isnull", True)),
                    models.Q(("unknown", False), ("value__gte", 1), ("value__lte", 5)),
                    _connector="OR",
                ),
                name="rater_answer_value_or_unknown",
                violation_error_message="请选择一个选项或“不了解”。",
            ),
        ),
        migrations.AddConstraint(
            model_name="rateranswer",
            constraint=models.UniqueConstraint(
                fields=("response", "item"), name="rater_answer_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="ratingsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_raters__gte", 2)),
                name="rating_min_raters_at_least_2",
                violation_error_message="最少评议人数不能少于 2 人。",
            ),
        ),
        migrations.AddConstraint(
            model_name="ratingsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("weight_members__gte", 0),
                    ("weight_public__gte", 0),
                    ("weight_self__gte", 0),
                    (
                        "weight_self",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                models.Value(100), "-", models.F("weight_members")
                            ),
                            "-",
                            models.F("weight_public"),
                        ),
                    ),
                ),
                name="rating_weights_sum_100",
                violation_error_message="三方权重之和必须为 100。",
            ),
        ),
        migrations.AddConstraint(
            model_name="ratingsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("gap_margin__gte", 0), ("gap_margin__lte", 100)),
                name="rating_gap_margin_range",
                violation_error_message="自评偏高阈值应在 0 至 100 分之间。",
            ),
        ),
    ]
