# Evidence files lodged with an appeal (申诉佐证材料), issue 12.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0010_audit_actions_this_phase"),
    ]

    operations = [
        migrations.CreateModel(
            name="AppealEvidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("image", "照片"),
                            ("pdf", "PDF"),
                            ("docx", "Word"),
                            ("xlsx", "Excel"),
                        ],
                        max_length=8,
                        verbose_name="类型",
                    ),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="原文件名")),
                (
                    "file",
                    models.FileField(max_length=200, upload_to="appeals/", verbose_name="文件"),
                ),
                (
                    "thumbnail",
                    models.FileField(
                        blank=True, max_length=200, upload_to="appeals/", verbose_name="缩略图"
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="上传时间"
                    ),
                ),
                (
                    "appeal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="surveys.appeal",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "申诉佐证材料",
                "verbose_name_plural": "申诉佐证材料",
                "ordering": ["appeal", "pk"],
            },
        ),
    ]
