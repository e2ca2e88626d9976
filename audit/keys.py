"""The audit trail's keys, kept outside the database (settings, from the environment or files).

- HMAC-SHA256 keys, each with an id stored on the events it wrote: an event written by
  anything that does not hold the key (a database user, a script) does not verify.
  Rotation: add a key, make it the current one; the former keys stay to verify old events.
- An Ed25519 key that signs checkpoints of the chain head; its id is a fingerprint of the
  public key. Former public keys stay listed to verify older checkpoints.

With ``NTM_AUDIT_DEV_KEYS`` (DEBUG or the test runner) and nothing configured, both keys are
derived from ``SECRET_KEY`` under the id "dev"; production settings refuse to start without.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

DEV_KEY_ID = "dev"


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True)
class Keyring:
    hmac_keys: Mapping[str, bytes]
    hmac_key_id: str
    signing_key: Ed25519PrivateKey | None
    public_keys: Mapping[str, Ed25519PublicKey]

    @property
    def signing_key_id(self) -> str:
        if self.signing_key is None:
            raise ImproperlyConfigured("no audit checkpoint signing key is configured")
        return public_key_id(self.signing_key.public_key())

    def hmac_key(self, key_id: str) -> bytes:
        try:
            return self.hmac_keys[key_id]
        except KeyError:
            raise UnknownKey(key_id) from None


def public_key_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint of the public key: what a checkpoint names its signer by."""
    return "ed25519-" + hashlib.sha256(public_key_raw(key)).hexdigest()[:16]


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) Ed25519 private key, or its 32-byte seed in hexadecimal."""
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("the audit signing key is not an Ed25519 key")
        return key
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(data.decode()))
    except ValueError as exc:
        raise ImproperlyConfigured(f"the audit signing key cannot be read: {exc}") from None


def load_public_key(text: str) -> Ed25519PublicKey:
    """A raw 32-byte Ed25519 public key in hexadecimal."""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError as exc:
        raise ImproperlyConfigured(f"audit verify key {text!r} cannot be read: {exc}") from None


def _derived(label: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).digest()


@functools.cache
def keyring() -> Keyring:
    hmac_keys = dict(settings.NTM_AUDIT_HMAC_KEYS)
    hmac_key_id = settings.NTM_AUDIT_HMAC_KEY_ID
    signing_key = (load_private_key(settings.NTM_AUDIT_SIGNING_KEY)
                   if settings.NTM_AUDIT_SIGNING_KEY else None)
    if settings.NTM_AUDIT_DEV_KEYS:
        if not hmac_keys:
            hmac_keys, hmac_key_id = {DEV_KEY_ID: _derived("ntm-audit-hmac")}, DEV_KEY_ID
        if signing_key is None:
            signing_key = Ed25519PrivateKey.from_private_bytes(_derived("ntm-audit-checkpoint"))
    if not hmac_keys or hmac_key_id not in hmac_keys:
        raise ImproperlyConfigured("no current audit HMAC key (NTM_AUDIT_HMAC_KEYS)")
    public_keys = {}
    for text in settings.NTM_AUDIT_VERIFY_KEYS:
        key = load_public_key(text)
        public_keys[public_key_id(key)] = key
    if signing_key is not None:
        public_keys[public_key_id(signing_key.public_key())] = signing_key.public_key()
    return Keyring(hmac_keys, hmac_key_id, signing_key, public_keys)


def _forget(setting: str, **kwargs: object) -> None:
    if setting.startswith("NTM_AUDIT_") or setting == "SECRET_KEY":
        keyring.cache_clear()


setting_changed.connect(_forget, dispatch_uid="audit_keys_forget")
