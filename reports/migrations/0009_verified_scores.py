# Placeholder: the verification work (issue 12) fills this in.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_rectification")]

    operations = []
