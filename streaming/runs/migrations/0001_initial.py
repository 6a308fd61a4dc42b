# The run columns move here from the log's Session (streaming 0001 had them): this migration
# creates Run, copies each session's lease and cancel into it, and runs before streaming 0002
# drops them from the session (`run_before`, so the log's migrations never name this app).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_run_columns(apps, schema_editor):
    """Give every existing session a Run with the lease and cancel it had."""
    Session = apps.get_model("streaming", "Session")
    Run = apps.get_model("agentstream_runs", "Run")
    workflows = getattr(settings, "AGENTSTREAM_WORKFLOWS", {}) or {}
    workflow = getattr(settings, "AGENTSTREAM_DEFAULT_WORKFLOW", None) or next(iter(workflows), "")
    columns = ("id", "lease_owner", "lease_expires_at", "cancel_requested_at")
    batch = []
    for sid, owner, expires, cancel in Session.objects.values_list(*columns).iterator():
        batch.append(
            Run(
                session_id=sid,
                workflow=workflow,
                lease_owner=owner,
                lease_expires_at=expires,
                cancel_requested_at=cancel,
            )
        )
        if len(batch) >= 1000:
            Run.objects.bulk_create(batch)
            batch = []
    Run.objects.bulk_create(batch)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("streaming", "0001_initial"),
    ]
    run_before = [
        ("streaming", "0002_session_without_run_columns"),
    ]

    operations = [
        migrations.CreateModel(
            name="Run",
            fields=[
                (
                    "session",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="run",
                        serialize=False,
                        to="streaming.session",
                    ),
                ),
                ("workflow", models.CharField(max_length=64)),
                ("lease_owner", models.CharField(blank=True, default="", max_length=128)),
                ("lease_expires_at", models.DateTimeField(blank=True, null=True)),
                ("cancel_requested_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("lease_owner", ""), _negated=True),
                        fields=["lease_expires_at"],
                        name="run_lease",
                    ),
                    models.Index(
                        condition=models.Q(("lease_owner", ""), _negated=True),
                        fields=["lease_owner"],
                        name="run_owner",
                    ),
                ],
            },
        ),
        migrations.RunPython(copy_run_columns, migrations.RunPython.noop),
    ]
