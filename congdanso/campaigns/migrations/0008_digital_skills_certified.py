"""The "Bình dân học vụ số" criterion joins the catalog of databases that existed before it
(a new database gets it from 0004, which seeds the whole catalog)."""

from django.db import migrations

from congdanso.campaigns.catalog import BUILTIN, SHORT_NAMES

CODE = "digital_skills_certified"


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    criterion = apps.get_model("campaigns", "Criterion")
    for position, (code, name, name_en, help_text) in enumerate(BUILTIN, start=1):
        if code != CODE:
            continue
        short_name, short_name_en = SHORT_NAMES[code]
        criterion.objects.using(schema_editor.connection.alias).update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "short_name": short_name,
                "short_name_en": short_name_en,
                "help_text": help_text,
                "is_builtin": True,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0007_criterion_short_names")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
