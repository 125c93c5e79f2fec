# Placeholder: the evidence work (issue 12) fills this in.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_round_name_unique_email_changed")]

    operations = []
