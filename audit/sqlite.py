"""SQLite's append-only triggers for the audit tables (shared by migrations and post_migrate)."""

TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON ntm_workflow_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
CHECKPOINT_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;",
]
ALL_TRIGGERS = TRIGGERS + CHECKPOINT_TRIGGERS
