from django.db import migrations

from congdanso.campaigns.catalog import BUILTIN


def seed(apps, schema_editor):
    criterion_model = apps.get_model("campaigns", "Criterion")
    for position, (code, name, name_en, help_text) in enumerate(BUILTIN, start=1):
        criterion_model.objects.using(schema_editor.connection.alias).update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "help_text": help_text,
                "is_builtin": True,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
