"""Credentials made on first start: a CA, a serving certificate for 127.0.0.1/localhost,
the client certificate the apiserver shows kubelets (``apiserver-kubelet-client``), an
admin bearer token, and the kubeconfig that kubectl uses with TLS verification on.
Everything lives in DATA_DIR/pki and is reused on later starts; a file missing from a
data dir made by an older version is added."""

from __future__ import annotations

import base64
import datetime
import os
import secrets
from dataclasses import dataclass

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..core.certs import issue_to_files, key_pem, subject_alt_names, write_private

# upstream's names (kubeadm): the kubelets authorize this identity
KUBELET_CLIENT_NAME = "kube-apiserver-kubelet-client"


@dataclass
class Credentials:
    """Paths of the PKI files and the admin token."""

    ca_cert: str
    server_cert: str
    server_key: str
    token: str
    kubelet_client_cert: str = ""
    kubelet_client_key: str = ""


def ensure_credentials(data_dir: str, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Credentials:
    """Create the CA, serving certificate, kubelet client certificate and admin token if
    missing; return their paths."""
    pki = os.path.join(data_dir, "pki")
    os.makedirs(pki, exist_ok=True)
    creds = Credentials(os.path.join(pki, "ca.crt"), os.path.join(pki, "apiserver.crt"),
                        os.path.join(pki, "apiserver.key"), "",
                        os.path.join(pki, "apiserver-kubelet-client.crt"),
                        os.path.join(pki, "apiserver-kubelet-client.key"))
    token_path = os.path.join(pki, "admin.token")
    if not os.path.exists(token_path):
        write_private(token_path, secrets.token_urlsafe(32).encode())
    with open(token_path) as f:
        creds.token = f.read().strip()
    if not (os.path.exists(creds.server_cert) and os.path.exists(creds.ca_cert)):
        _make_ca_and_serving_certificate(pki, creds, hosts)
    if not (os.path.exists(creds.kubelet_client_cert) and os.path.exists(creds.kubelet_client_key)):
        issue_to_files(pki, creds.kubelet_client_cert, creds.kubelet_client_key,
                       KUBELET_CLIENT_NAME, organizations=("system:masters",), client=True)
    return creds


def _make_ca_and_serving_certificate(pki: str, creds: Credentials, hosts: tuple[str, ...]) -> None:
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paddock-ca")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    sans = subject_alt_names(hosts)
    sans.append(x509.DNSName("kubernetes.default.svc"))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paddock-apiserver")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    write_private(os.path.join(pki, "ca.key"), key_pem(ca_key))
    write_private(creds.server_key, key_pem(key))
    write_private(creds.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
    write_private(creds.server_cert, cert.public_bytes(serialization.Encoding.PEM)
                  + ca_cert.public_bytes(serialization.Encoding.PEM))


def write_kubeconfig(path: str, server: str, creds: Credentials, name: str = "paddock") -> None:
    """A kubeconfig with the CA embedded and the admin token."""
    with open(creds.ca_cert, "rb") as f:
        ca = base64.b64encode(f.read()).decode()
    cfg = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": "admin", "user": {"token": creds.token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "admin"}}],
        "current-context": name,
        "preferences": {},
    }
    write_private(path, yaml.safe_dump(cfg, sort_keys=False).encode())
