"""Demo data: Hà Tĩnh with its real communes, agencies, one user per role, the regulation
profile, a 2026 calendar modelled on seed 002, and dossiers standing at every step.

Idempotent: running it again changes nothing and prints the logins again."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.seed import COUNCIL_SIZE, logins, seed


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=os.environ.get("NTM_DEMO_PASSWORD", "demo12345"))

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        if not seed(password=password).added:
            self.stdout.write("Demo dossiers already exist: nothing to add.")
        self.stdout.write(f"\nDemo logins (password: {password}):")
        for role, username in logins():
            self.stdout.write(f"  {role:<38} {username}")
        self.stdout.write("  Other communes: ubnd_<commune code>, mttq_<commune code>; "
                          f"other departments: so_<agency code>; council: hoi_dong_1..{COUNCIL_SIZE}.")
