# Placeholder: the background-job work (issue 14) fills this in.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_unit_scores")]

    operations = []
