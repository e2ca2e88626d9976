"""The append-only, hash-chained audit trail."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded change. Rows are only ever inserted (see ``audit.trail.record``).

    Events form one chain per province and a national chain (``chain``: the province's id,
    or 0; see ``audit.chain``). ``hash`` covers the event's content, its primary key, its
    chain and ``prev_hash`` (the hash of event ``seq - 1`` of the same chain), keyed (HMAC-SHA256) with the audit key named by ``key_id``, which lives
    outside the database: editing, deleting, reordering or forging any row breaks the chain that
    ``verify_audit`` checks. Events written before keys existed have an empty ``key_id`` and
    a plain SHA-256 hash (legacy; accepted only before the first keyed event). On PostgreSQL
    a trigger refuses UPDATE and DELETE, and the application's database role may only INSERT
    and SELECT (docs/DATABASE_ROLES.md).
    The agency, dossier and province an event is about are kept as plain ids: the trail
    sits below the domain, and no cascade can ever touch an event.
    """

    # The chain the event belongs to: its province's id, or 0 for the national chain (every
    # event written before the partition is in the national chain: the column's default).
    chain = models.BigIntegerField(_("chain"), default=0)
    seq = models.PositiveBigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True,
                              db_constraint=False, related_name="+", verbose_name=_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150)
    agency_id = models.BigIntegerField(_("agency"), null=True, db_index=True)
    agency_name = models.CharField(_("agency name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    dossier_id = models.BigIntegerField(_("dossier"), null=True, db_index=True)
    province_id = models.BigIntegerField(_("province"), null=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason or remark"), blank=True)
    request_id = models.CharField(_("request"), max_length=64, blank=True)
    request_path = models.CharField(_("request path"), max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    key_id = models.CharField(_("key"), max_length=32, blank=True, default="")

    class Meta:
        # The table keeps the name it had when the trail lived in the workflow app.
        db_table = "ntm_workflow_auditevent"
        # The primary key is taken under the chain's lock (``audit.chain``): it grows with
        # ``seq`` in every chain, so ordering by it orders every chain and the whole trail.
        ordering = ["id"]
        constraints = [
            # Each chain numbers its events from 1; the index finds a chain's head backwards
            # (the append's one probe) and streams a chain in order (``verify_chain``).
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_uniq"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["dossier_id", "seq"], name="audit_dossier_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="audit_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditCheckpoint(models.Model):
    """A chain head (sequence, hash, time) signed with the audit signing key (Ed25519) and
    e-mailed to the auditors: deleting events from the end, or rewriting the chain up to a
    checkpointed head, is found by ``verify_audit`` even by someone who holds the database.

    One checkpoint is a row per chain, signed together: ``overall`` is the hash over every
    chain's head at that time (``audit.chain.overall_head``) and the signature covers it.
    Rows from before the partition have no ``overall``: each signs the one (national) head."""

    chain = models.BigIntegerField(_("chain"), default=0)
    overall = models.CharField(_("overall head"), max_length=64, blank=True, default="")
    seq = models.PositiveBigIntegerField(_("sequence"), db_index=True)
    hash = models.CharField(_("hash"), max_length=64)
    at = models.DateTimeField(_("time"))
    key_id = models.CharField(_("key"), max_length=32)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        db_table = "audit_checkpoint"
        ordering = ["at", "chain", "seq"]
        triggers = [
            pgtrigger.Protect(name="audit_checkpoint_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}…"


class PublishedHead(models.Model):
    """The chain head published for everyone on the public page, once a day: the latest
    signed checkpoint's sequence and hash. Anyone who kept a published head can later prove
    that no event up to it was removed (``verify_audit --published-head SEQ:HASH``)."""

    day = models.DateField(_("day"), unique=True)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    checkpoint_at = models.DateTimeField(_("checkpoint time"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        db_table = "audit_published_head"
        ordering = ["-day"]
        triggers = [
            pgtrigger.Protect(name="audit_published_head_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]
        verbose_name = _("published chain head")
        verbose_name_plural = _("published chain heads")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: #{self.seq} {self.hash[:12]}…"
