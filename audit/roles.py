"""Least privilege on PostgreSQL: the SQL that sets up the two roles (docs/DATABASE_ROLES.md).

- The **owner** role owns the database and every table; ``manage.py migrate`` connects as
  it (``DATABASE_OWNER_URL``).
- The **application** role (``DATABASE_URL``: web, Celery worker and beat) owns nothing:
  it may read and write the domain tables but only INSERT and SELECT the audit tables. As it
  owns no table it cannot ALTER them, disable or drop their triggers, and as it is no superuser
  it cannot set ``session_replication_role`` (which would silence every trigger).

``setup_sql`` runs once as a superuser; ``grant_sql`` runs as the owner after every migrate
(the ``post_migrate`` hook in ``audit.apps`` does it when ``DATABASE_OWNER_URL`` is set).
"""

from __future__ import annotations

import re

from .models import AuditCheckpoint, AuditEvent, PublishedHead

AUDIT_TABLES = (AuditEvent._meta.db_table, AuditCheckpoint._meta.db_table,
                PublishedHead._meta.db_table)
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _name(value: str) -> str:
    """A role or database name, checked (it is written into SQL as an identifier)."""
    if not _NAME.match(value):
        raise ValueError(f"{value!r}: use lower-case letters, digits and '_' (a PostgreSQL name)")
    return value


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_role_sql(role: str, *, login: bool = True, password: str = "") -> str:
    """Create ``role`` unless it exists (safe to run concurrently and again)."""
    role = _name(role)
    options = "LOGIN" if login else "NOLOGIN"
    if password:
        options += f" PASSWORD {_quote(password)}"
    options += " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_quote(role)}) THEN "
        f"CREATE ROLE {role} {options}; END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )


def setup_sql(*, owner: str, app: str, database: str, owner_password: str = "",
              app_password: str = "") -> list[str]:
    """Once, as a superuser: both roles and the database, owned by the owner role."""
    owner, app, database = _name(owner), _name(app), _name(database)
    return [
        create_role_sql(owner, password=owner_password),
        create_role_sql(app, password=app_password),
        f"CREATE DATABASE {database} OWNER {owner}",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
    ]


def grant_sql(*, app: str, schema: str = "public") -> list[str]:
    """As the owner, after every migrate: what the application's role may do."""
    app, schema = _name(app), _name(schema)
    tables = ", ".join(AUDIT_TABLES)
    return [
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON {tables} FROM {app}",
        f"GRANT SELECT, INSERT ON {tables} TO {app}",
    ]
