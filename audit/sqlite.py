"""SQLite's append-only trigger for the audit table (shared by a migration and post_migrate)."""

TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON ntm_workflow_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
