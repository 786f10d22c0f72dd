"""CCCD and phone numbers encrypted at rest (see congdanso/people/personal.py).

The new columns are added, every stored value is encrypted into them (the keyring file is
created if absent), then the plaintext columns are dropped. A stored value that is not a
normalised number (only possible if it was typed in by hand) is not lost: it is moved to a
data issue of its field, encrypted like every rejected value. Data issues of CCCD and phone
fields get their original value masked + encrypted and the digits of their detail masked;
the import log's rejected rows are encrypted as a whole.

Going back decrypts into the plaintext columns (the masked details stay masked).
"""

import json

from django.db import migrations, models

from congdanso.core.crypto import keyring
from congdanso.people import personal

BATCH = 2000


def _batches(queryset):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield batch


def _set_aside(issues, ring, resident, field, code, value):
    issues.create(
        commune_id=resident.commune_id,
        resident=resident,
        code=code,
        field=field,
        original_value=personal.mask_value(field, value)[:500],
        original_encrypted=ring.encrypt(value, personal.ISSUE_ORIGINAL),
        key_version=ring.active,
        detail=(
            "Để riêng khi mã hóa số CCCD, số điện thoại: không phải số đã chuẩn hóa. / "
            "Set aside when numbers were encrypted: not a normalised number."
        ),
        source="migration people.0002",
    )


def _managers(apps, schema_editor):
    db = schema_editor.connection.alias
    return [apps.get_model("people", name).objects.using(db) for name in _MODELS]


_MODELS = ("Resident", "DataIssue", "ImportRun")


def encrypt_existing(apps, schema_editor):
    residents, issues, runs = _managers(apps, schema_editor)
    ring = keyring()
    fields = [
        "cccd_encrypted",
        "cccd_hmac",
        "cccd_last4_hmac",
        "phone_encrypted",
        "phone_hmac",
        "phone_last4_hmac",
        "key_version",
    ]
    with_numbers = residents.filter(
        models.Q(cccd__isnull=False) | ~models.Q(phone="")
    ).only("id", "commune_id", "cccd", "phone")
    for batch in _batches(with_numbers):
        for resident in batch:
            cccd, phone = resident.cccd or "", resident.phone or ""
            if cccd:
                try:
                    sealed = personal.seal_cccd(cccd, ring)
                except ValueError:
                    _set_aside(issues, ring, resident, "cccd", "cccd_invalid", cccd)
                else:
                    resident.cccd_encrypted, resident.cccd_hmac, resident.cccd_last4_hmac = sealed
            if phone:
                try:
                    sealed = personal.seal_phone(phone, ring)
                except ValueError:
                    _set_aside(issues, ring, resident, "phone", "phone_invalid", phone)
                else:
                    resident.phone_encrypted, resident.phone_hmac, resident.phone_last4_hmac = (
                        sealed
                    )
            resident.key_version = personal.key_version_of(
                resident.cccd_encrypted, resident.phone_encrypted
            )
        residents.bulk_update(batch, fields)

    personal_issues = issues.filter(
        field__in=sorted(personal.PERSONAL_FIELDS), original_encrypted=""
    ).exclude(original_value="")
    for batch in _batches(personal_issues):
        for issue in batch:
            value = issue.original_value
            issue.original_encrypted = ring.encrypt(value, personal.ISSUE_ORIGINAL)
            issue.original_value = personal.mask_value(issue.field, value)[:500]
            issue.detail = personal.mask_digits(issue.detail)
            issue.key_version = ring.active
        issues.bulk_update(batch, ["original_value", "original_encrypted", "detail", "key_version"])
    for batch in _batches(runs.only("id", "rejected_rows")):
        for run in batch:
            if run.rejected_rows:
                text = json.dumps(run.rejected_rows, ensure_ascii=False)
                run.rejected_rows_encrypted = ring.encrypt(text, personal.RUN_REJECTED)
                run.key_version = ring.active
        runs.bulk_update(batch, ["rejected_rows_encrypted", "key_version"])


def decrypt_back(apps, schema_editor):
    from congdanso.core.crypto import decrypt

    residents, issues, runs = _managers(apps, schema_editor)
    encrypted = residents.filter(key_version__isnull=False)
    for batch in _batches(encrypted.only("id", "cccd_encrypted", "phone_encrypted")):
        for resident in batch:
            if resident.cccd_encrypted:
                resident.cccd = decrypt(resident.cccd_encrypted, personal.CCCD)
            if resident.phone_encrypted:
                resident.phone = decrypt(resident.phone_encrypted, personal.PHONE)
        residents.bulk_update(batch, ["cccd", "phone"])
    for batch in _batches(issues.exclude(original_encrypted="")):
        for issue in batch:
            issue.original_value = decrypt(issue.original_encrypted, personal.ISSUE_ORIGINAL)[:500]
        issues.bulk_update(batch, ["original_value"])
    for batch in _batches(runs.exclude(rejected_rows_encrypted="")):
        for run in batch:
            run.rejected_rows = json.loads(
                decrypt(run.rejected_rows_encrypted, personal.RUN_REJECTED)
            )
        runs.bulk_update(batch, ["rejected_rows"])


def _version():
    return models.PositiveSmallIntegerField(
        blank=True, editable=False, null=True, verbose_name="key version"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="cccd_encrypted",
            field=models.TextField(
                blank=True, editable=False, null=True, verbose_name="CCCD number (encrypted)"
            ),
        ),
        migrations.AddField(
            model_name="resident",
            name="cccd_hmac",
            field=models.CharField(
                blank=True, editable=False, max_length=32, null=True, verbose_name="CCCD look-up key"
            ),
        ),
        migrations.AddField(
            model_name="resident",
            name="cccd_last4_hmac",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=16,
                null=True,
                verbose_name="CCCD last-four-digit look-up key",
            ),
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_encrypted",
            field=models.TextField(blank=True, editable=False, verbose_name="phone (encrypted)"),
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_hmac",
            field=models.CharField(
                blank=True, editable=False, max_length=32, verbose_name="phone look-up key"
            ),
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_last4_hmac",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=16,
                verbose_name="phone last-four-digit look-up key",
            ),
        ),
        migrations.AddField(model_name="resident", name="key_version", field=_version()),
        migrations.AddField(
            model_name="dataissue",
            name="original_encrypted",
            field=models.TextField(
                blank=True, editable=False, verbose_name="original value (encrypted)"
            ),
        ),
        migrations.AddField(model_name="dataissue", name="key_version", field=_version()),
        migrations.AddField(
            model_name="importrun",
            name="rejected_rows_encrypted",
            field=models.TextField(blank=True, verbose_name="rejected rows (encrypted)"),
        ),
        migrations.AddField(model_name="importrun", name="key_version", field=_version()),
        migrations.RunPython(encrypt_existing, decrypt_back, elidable=False),
        migrations.RemoveConstraint(
            model_name="resident",
            name="resident_unique_cccd_per_commune",
        ),
        migrations.RemoveIndex(
            model_name="resident",
            name="resident_commune_phone",
        ),
        migrations.RemoveField(model_name="importrun", name="rejected_rows"),
        migrations.RemoveField(model_name="resident", name="cccd"),
        migrations.RemoveField(model_name="resident", name="phone"),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["commune", "phone_hmac"], name="resident_commune_phone"),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["commune", "cccd_last4_hmac"], name="resident_cccd_last4"),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["commune", "phone_last4_hmac"], name="resident_phone_last4"),
        ),
        migrations.AddConstraint(
            model_name="resident",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cccd_hmac__isnull", False)),
                fields=("commune", "cccd_hmac"),
                name="resident_unique_cccd_per_commune",
            ),
        ),
    ]
