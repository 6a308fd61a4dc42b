"""`manage.py demo`: prepare a working demo in one go and say where to open it.

Migrates the database, makes (or resets) a demo user with a fresh printed password, checks that
the sample workspace is in place, prepares a showcase workspace from a real codebase already on
the machine (Django's own source, about 900 modules: a first run worth watching, which the home
page suggests; `--no-showcase` skips it), and prints the URL the README's daphne command serves.
"""

from __future__ import annotations

import secrets
from typing import Any

import django
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from streaming.runs.conf import conf
from streaming.runs.exceptions import BadWorkspace
from streaming.runs.workspaces import list_workspaces, resolve_workspace, workspace_root
from streaming.site.showcase import NotAShowcase, Showcase, prepare_from_package

SHOWCASE = "django"
SHOWCASE_QUERY = (
    "Survey Django's own source: its largest modules, how its packages import one another, "
    "and the import cycles worth knowing about."
)


class Command(BaseCommand):
    help = "Migrate, create a demo user with a printed password, check the sample workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo", help="the demo user's name (demo)")
        parser.add_argument(
            "--password", default=None, help="the demo user's password (default: a fresh one)"
        )
        parser.add_argument(
            "--no-staff",
            dest="staff",
            action="store_false",
            help="do not make the demo user staff (staff may open /admin/ and every session)",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the URL to print")
        parser.add_argument(
            "--no-showcase",
            dest="showcase",
            action="store_false",
            help=f"do not prepare the {SHOWCASE!r} workspace from Django's installed source",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        workspace = self._check_workspace()
        showcase = self._prepare_showcase() if options["showcase"] else None
        username = options["username"]
        password = options["password"] or secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.is_staff = options["staff"]
        user.save()
        url = options["url"]
        others = [name for name in list_workspaces() if name not in (workspace, SHOWCASE)]
        suggested = (
            f"  Showcase  {showcase.workspace} ({showcase.modules} modules of {showcase.source}), "
            "suggested on the home page\n"
            if showcase
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(f"{'Created' if created else 'Reset'} the demo user.") + "\n\n"
            f"  Open      {url}\n"
            f"  Username  {username}\n"
            f"  Password  {password}\n"
            f"  Admin     {url.rstrip('/')}/admin/ (staff: {'yes' if user.is_staff else 'no'})\n"
            f"  Workspace {workspace} ({workspace_root() / workspace})"
            + (f"; also: {', '.join(others)}" if others else "")
            + "\n"
            + suggested
            + "\n"
            "Serve it with:  .venv/bin/daphne -b 127.0.0.1 -p 8000 project.asgi:application\n"
        )

    def _prepare_showcase(self) -> Showcase | None:
        """Copy Django's installed source into the showcase workspace (kept if already there)."""
        self.stdout.write(f"Preparing the {SHOWCASE!r} workspace from Django's installed source…")
        try:
            showcase, made = prepare_from_package(
                django,
                root=workspace_root(),
                name=SHOWCASE,
                title=f"Django {django.get_version()}",
                query=SHOWCASE_QUERY,
            )
        except NotAShowcase as exc:
            self.stderr.write(f"Skipped the showcase: {exc}.")
            return None
        self.stdout.write(f"  {'copied' if made else 'already there:'} {showcase.modules} modules")
        return showcase

    def _check_workspace(self) -> str:
        name = conf.DEFAULT_WORKSPACE or ""
        try:
            folder = resolve_workspace(name)
        except BadWorkspace as exc:
            raise CommandError(
                f"The {name!r} workspace is missing under {conf.WORKSPACE_ROOT}: {exc}. "
                "Set AGENTSTREAM_WORKSPACE_ROOT to a folder of workspaces."
            ) from exc
        if not any(folder.rglob("*.py")):
            raise CommandError(f"The {name!r} workspace at {folder} holds no Python files.")
        return name
