"""The demo logins say where each person works; dev.py prints them once everything runs."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_logins_name_each_role_with_its_agency_and_print_alone():
    quiet = StringIO()
    call_command("seed_demo", "--no-logins", stdout=quiet)
    assert "Demo logins" not in quiet.getvalue()

    out = StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    text = out.getvalue()
    assert "Demo dossiers already exist" not in text
    assert "  coordination officer                   vpdp             Văn phòng Điều phối NTM tỉnh" \
        in text.splitlines()
    assert "  commune officer                        ubnd_18133       UBND Xã Hương Sơn" \
        in text.splitlines()
    assert "  administrator                          admin            all provinces" \
        in text.splitlines()
