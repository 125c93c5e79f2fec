# Placeholder: the rater work (issue 13) fills this in.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_evidence")]

    operations = []
