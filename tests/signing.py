"""Signed PDFs made in the tests: a throwaway certificate (cryptography) and pyHanko."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

MARKER = b"NTMMARKER"


def throwaway_certificate(common_name: str, organisation: str) -> tuple:
    """A self-signed signing certificate valid around today, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def cert_pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def unsigned_pdf() -> bytes:
    """A one-page PDF whose metadata carries ``MARKER`` (uncompressed, so a test can alter a
    byte of it without breaking the file's structure)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": MARKER.decode()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pdf(cert, key, data: bytes | None = None) -> bytes:
    """``data`` (by default ``unsigned_pdf()``) signed by ``cert``."""
    der = cert.public_bytes(serialization.Encoding.DER)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der)]))
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data or unsigned_pdf())),
                     signers.PdfSignatureMetadata(field_name="ChuKy"), signer=signer, output=out)
    return out.getvalue()


def altered(data: bytes) -> bytes:
    """``data`` with one byte of the signed metadata changed (same length)."""
    at = data.rindex(MARKER)
    return data[:at] + b"X" + data[at + 1:]
