"""Services: every change to the domain goes through a function here or in
``workflow.services``. Each checks the actor's rights, applies the rule, writes the
audit event in the same transaction, and raises ``RuleViolation`` or ``NotAllowed``
with a message a person can act on."""
