# The run columns (lease, cancel) moved to the runs room's Run;
# agentstream_runs 0001 copies them first.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("streaming", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="session",
            name="session_running_lease",
        ),
        migrations.RemoveField(
            model_name="session",
            name="cancel_requested_at",
        ),
        migrations.RemoveField(
            model_name="session",
            name="lease_expires_at",
        ),
        migrations.RemoveField(
            model_name="session",
            name="lease_owner",
        ),
        migrations.AlterField(
            model_name="session",
            name="workspace",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
    ]
