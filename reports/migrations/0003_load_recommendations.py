from django.db import migrations


def forwards(apps, schema_editor):
    from reports.recommendations import load_recommendations

    load_recommendations(apps.get_model("reports", "Recommendation"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_recommendation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
