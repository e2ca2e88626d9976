"""Least privilege in the database: the application's role may only INSERT and SELECT the
audit tables; migrations run as the owner role (docs/DATABASE_ROLES.md).

The PostgreSQL test creates the application's role itself (idempotently) in the test
database, grants it exactly what ``audit.roles.grant_sql`` grants after a migrate, and runs
every forbidden statement under ``SET ROLE``."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from audit import chain, checkpoints, roles, trail
from audit.management.commands.migrate import connected_as_owner
from audit.models import AuditCheckpoint, AuditEvent
from dossiers.models import Province

APP = "ntm_test_app"
EVENTS = AuditEvent._meta.db_table
CHECKPOINTS = AuditCheckpoint._meta.db_table


@contextmanager
def as_role(role: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def forbidden(table: str, trigger: str) -> list[tuple[str, str]]:
    return [
        (f"UPDATE {table} SET hash = hash", f"permission denied for table {table}"),
        (f"DELETE FROM {table}", f"permission denied for table {table}"),
        (f"TRUNCATE {table}", f"permission denied for table {table}"),
        (f"ALTER TABLE {table} DISABLE TRIGGER ALL", f"must be owner of table {table}"),
        (f"ALTER TABLE {table} DISABLE TRIGGER {trigger}", f"must be owner of table {table}"),
        (f"DROP TRIGGER {trigger} ON {table}", f"must be owner of relation {table}"),
        (f"ALTER TABLE {table} ADD COLUMN note text", f"must be owner of table {table}"),
        (f"DROP TABLE {table}", f"must be owner of table {table}"),
        (f"CREATE TRIGGER sneak BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION "
         "suppress_redundant_updates_trigger()", f"permission denied for table {table}"),
        (f"SELECT 1 FROM {table} FOR UPDATE", f"permission denied for table {table}"),
    ]


FORBIDDEN = [
    *forbidden(EVENTS, "pgtrigger_audit_append_only_f6eda"),
    *forbidden(CHECKPOINTS, "pgtrigger_audit_checkpoint_append_only_5e4cd"),
    ("SET session_replication_role = replica",
     'permission denied to set parameter "session_replication_role"'),
    (f"ALTER ROLE {APP} SUPERUSER",
     "must be superuser to alter superuser roles or change superuser attribute"),
]


@pytest.mark.postgres
@pytest.mark.django_db
def test_application_role_may_only_insert_and_select_the_trail(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("needs postgresql")
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    with connection.cursor() as cursor:
        cursor.execute(roles.create_role_sql(APP, login=False))
        cursor.execute(roles.create_role_sql(APP, login=False))  # idempotent
        for sql in roles.grant_sql(app=APP):
            cursor.execute(sql)

    with as_role(APP):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP
        # What the product does as the application: append, read, verify, checkpoint.
        with transaction.atomic():
            trail.record(actor=None, action="test.as_app", obj=province)
        checkpoint = checkpoints.checkpoint_create()
        assert [(row.chain, row.seq) for row in checkpoint.rows] == [(province.pk, 1)]
        assert AuditEvent.objects.count() == 2
        assert chain.verify_chain() == chain.ChainReport(True, 2, checkpoints=1)
        # The domain tables stay writable.
        Province.objects.filter(pk=province.pk).update(name="Tỉnh Đổi Tên")

        refused = []
        for sql, _message in FORBIDDEN:
            with pytest.raises(DatabaseError) as caught, transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(sql)
            refused.append((sql, str(caught.value).splitlines()[0]))
        assert refused == FORBIDDEN

    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "test.as_app", "audit.checkpoint"]
    assert AuditCheckpoint.objects.count() == 1


def test_the_grants_give_insert_and_select_only_on_the_audit_tables():
    statements = roles.grant_sql(app="ntm_app")
    assert statements[-2:] == [
        "REVOKE ALL ON ntm_workflow_auditevent, audit_checkpoint, audit_published_head "
        "FROM ntm_app",
        "GRANT SELECT, INSERT ON ntm_workflow_auditevent, audit_checkpoint, audit_published_head "
        "TO ntm_app",
    ]
    assert not any("TRUNCATE" in s or "TRIGGER" in s for s in statements if "GRANT " in s)
    with pytest.raises(ValueError, match="PostgreSQL name"):
        roles.grant_sql(app="app; DROP TABLE x")


def test_audit_db_roles_prints_the_setup_and_the_grants():
    out = io.StringIO()
    call_command("audit_db_roles", "--owner", "ntm_owner", "--app", "ntm_app",
                 "--database", "ntm", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "-- Once, as a superuser (psql -U postgres):"
    assert "CREATE DATABASE ntm OWNER ntm_owner;" in lines
    assert "GRANT CONNECT, TEMPORARY ON DATABASE ntm TO ntm_app;" in lines
    assert lines[-1] == ("GRANT SELECT, INSERT ON ntm_workflow_auditevent, audit_checkpoint, "
                         "audit_published_head TO ntm_app;")


def test_migrate_connects_as_the_owner_when_one_is_configured(monkeypatch):
    from django.conf import settings

    default = connections["default"]
    before = dict(default.settings_dict)
    with connected_as_owner("default"):
        assert default.settings_dict == before  # no owner configured: nothing changes
    monkeypatch.setitem(settings.DATABASES, "owner", {
        **before, "USER": "ntm_owner", "PASSWORD": "owner-secret", "NAME": "ignored"})
    with connected_as_owner("default"):
        assert (default.settings_dict["USER"], default.settings_dict["PASSWORD"],
                default.settings_dict["NAME"]) == ("ntm_owner", "owner-secret", before["NAME"])
    assert default.settings_dict == before
