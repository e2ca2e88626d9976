"""Demo data: Hà Tĩnh with its real communes, agencies, one user per role, the regulation
profile, a 2026 calendar modelled on seed 002, and dossiers standing at every step.

Idempotent: running it again changes nothing and prints the logins again. With
``--logins-only`` it only prints the logins (``dev.py run`` does so once everything runs)."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.seed import COUNCIL_SIZE, logins, seed


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=os.environ.get("NTM_DEMO_PASSWORD", "demo12345"))
        parser.add_argument("--logins-only", action="store_true",
                            help="Print the demo logins without seeding.")
        parser.add_argument("--no-logins", action="store_true",
                            help="Seed without printing the logins (dev.py run prints them later).")

    def handle(self, *args: Any, password: str, logins_only: bool, no_logins: bool,
               **options: Any) -> None:
        if not logins_only and not seed(password=password).added:
            self.stdout.write("Demo dossiers already exist: nothing to add.")
        if no_logins:
            return
        self.stdout.write(f"\nDemo logins (password: {password}):")
        for role, username, where in logins():
            self.stdout.write(f"  {role:<38} {username:<16} {where}")
        self.stdout.write("  Other communes: ubnd_<commune code>, mttq_<commune code>; "
                          f"other departments: so_<agency code>; council: hoi_dong_1..{COUNCIL_SIZE}.")
