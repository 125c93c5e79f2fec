# What a finished background job did, for its page (issue 14: reminder sending as a job).
# Written by hand (the operation `makemigrations reports --dry-run` gives for this field).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0010_task_evidence'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportjob',
            name='summary',
            field=models.TextField(blank=True, verbose_name='结果说明'),
        ),
    ]
