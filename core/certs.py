"""Certificates issued by the cluster CA, for any component that holds the CA's directory.

The apiserver makes the CA on its first start (``DATA_DIR/pki/ca.crt`` and ``ca.key``, see
``apiserver/pki.py``).  Everything here signs with it: the apiserver's client certificate
for kubelets (``apiserver-kubelet-client``) and a kubelet's serving certificate for its
node name and addresses.  Keys are ECDSA P-256, written mode 0600 and replaced
atomically.  This lives in ``core`` because the kubelet mints its own serving certificate
from the cluster PKI directory and components never import each other.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 3650


def write_private(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, replacing any old file at once."""
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def subject_alt_names(hosts: Iterable[str]) -> list[x509.GeneralName]:
    """IP addresses as IP SANs, anything else as DNS names."""
    sans: list[x509.GeneralName] = []
    for h in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    return sans


def issue(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, common_name: str, *,
          organizations: Iterable[str] = (), hosts: Iterable[str] = (), server: bool = False,
          client: bool = False) -> tuple[bytes, bytes]:
    """A new key and a certificate for it signed by the CA: (certificate PEM, key PEM).
    ``server``/``client`` set the extended key usages (TLS server, TLS client)."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if server else []) + (
        [ExtendedKeyUsageOID.CLIENT_AUTH] if client else [])
    builder = (
        x509.CertificateBuilder().subject_name(x509.Name(attrs)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False,
                                     content_commitment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
    )
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    sans = subject_alt_names(hosts)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem(key)


def load_ca(pki_dir: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The cluster CA's certificate and key from ``pki_dir`` (``ca.crt``, ``ca.key``)."""
    with open(os.path.join(pki_dir, "ca.crt"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(pki_dir, "ca.key"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{pki_dir}/ca.key is not an ECDSA key")
    return cert, key


def issue_to_files(pki_dir: str, cert_path: str, key_path: str, common_name: str, *,
                   organizations: Iterable[str] = (), hosts: Iterable[str] = (),
                   server: bool = False, client: bool = False) -> None:
    """Issue a certificate from the CA in ``pki_dir`` and write it and its key."""
    ca_cert, ca_key = load_ca(pki_dir)
    cert, key = issue(ca_cert, ca_key, common_name, organizations=organizations, hosts=hosts,
                      server=server, client=client)
    os.makedirs(os.path.dirname(os.path.abspath(cert_path)), exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(key_path)), exist_ok=True)
    write_private(key_path, key)
    write_private(cert_path, cert)


def kubelet_serving_certificate(pki_dir: str, node_name: str, addresses: Iterable[str],
                                out_dir: str) -> tuple[str, str]:
    """Issue the serving certificate of the kubelet of ``node_name`` for its name and
    ``addresses`` (the apiserver dials the node's InternalIP and checks the certificate
    against the cluster CA), as ``out_dir/kubelet.crt`` and ``kubelet.key`` (the names
    upstream's kubelet uses under its ``pki`` directory); returns their paths.  A new
    certificate each time: it is cheap, and it always matches the node's addresses."""
    cert_path = os.path.join(out_dir, "kubelet.crt")
    key_path = os.path.join(out_dir, "kubelet.key")
    hosts = [node_name, *dict.fromkeys(a for a in addresses if a)]
    # named as upstream's kubelet serving certificates are (the kubelet-serving signer's)
    issue_to_files(pki_dir, cert_path, key_path, f"system:node:{node_name}",
                   organizations=("system:nodes",), hosts=hosts, server=True)
    return cert_path, key_path
