"""A pod's volumes on the node, under ``<pod dir>/volumes/<name>``.

- ``emptyDir``: a directory, or with ``medium: Memory`` a tmpfs (``sizeLimit`` its size).
- ``hostPath``: the host's path, checked (or created) as its ``type`` says.
- ``persistentVolumeClaim``: the claim's bound PersistentVolume's ``hostPath`` or ``local``
  path.
- ``secret``, ``configMap``, ``downwardAPI``, ``projected``: files on a tmpfs (a Secret never
  touches the node's disk), written as upstream's atomic writer does: the files live in a
  timestamped directory that the ``..data`` symlink names, and each visible name is a
  symlink through ``..data``, so that an update (``refresh``, on every sync) swaps all files
  at once.  ``items`` pick and rename keys; modes come from ``defaultMode`` and ``mode``.

Errors are :class:`VolumeError`, whose text is what upstream puts in the FailedMount event.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import stat
import time
from typing import Any

from paddock.core.quantity import QuantityError, quantity_from_json

from .envvars import ConfigError, Getter, data_bytes, field_value, resource_value

Obj = dict[str, Any]
DEFAULT_MODE = 0o644
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)


class VolumeError(Exception):
    pass


def mount_tmpfs(path: str, size: int = 0, mode: int = 0o755) -> None:
    os.makedirs(path, exist_ok=True)
    if os.path.ismount(path):
        return
    options = f"mode={mode:o}" + (f",size={size}" if size else "")
    if _libc.mount(b"tmpfs", path.encode(), b"tmpfs", ctypes.c_ulong(2 | 4), options.encode()) != 0:
        code = ctypes.get_errno()
        raise VolumeError(f"mount tmpfs at {path}: {os.strerror(code)}")


def unmount_all(under: str) -> None:
    """Unmount every mount at or below ``under`` (deepest first)."""
    prefix = os.path.realpath(under)
    with open("/proc/self/mounts") as f:
        points = [line.split()[1].replace("\\040", " ") for line in f]
    for point in sorted((p for p in points if p == prefix or p.startswith(prefix + "/")),
                        key=len, reverse=True):
        _libc.umount2(point.encode(), MNT_DETACH)


def write_atomic(target: str, files: dict[str, tuple[bytes, int]]) -> bool:
    """Make ``target`` hold exactly ``files`` (relative path -> (content, mode)), swapping
    them in at once; False if they were already there."""
    data = os.path.join(target, "..data")
    if os.path.isdir(data) and _same(data, files):
        return False
    stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime()) + f"{time.time_ns() % 10**9:09d}"
    new = os.path.join(target, stamp)
    os.makedirs(new, mode=0o755)
    for rel, (content, mode) in files.items():
        path = os.path.join(new, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, mode)
    old = os.readlink(data) if os.path.islink(data) else None
    tmp = os.path.join(target, "..data_tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(stamp, tmp)
    os.rename(tmp, data)
    visible = {rel.split("/", 1)[0] for rel in files}
    for name in visible:
        link = os.path.join(target, name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", name), link)
    for name in os.listdir(target):
        if not name.startswith("..") and name not in visible:
            os.unlink(os.path.join(target, name))
    if old:
        shutil.rmtree(os.path.join(target, old), ignore_errors=True)
    return True


def _same(data: str, files: dict[str, tuple[bytes, int]]) -> bool:
    have: set[str] = set()
    for d, _, names in os.walk(data, followlinks=False):
        for n in names:
            have.add(os.path.relpath(os.path.join(d, n), data))
    if have != set(files):
        return False
    for rel, (content, mode) in files.items():
        path = os.path.join(data, rel)
        if stat.S_IMODE(os.stat(path).st_mode) != mode:
            return False
        with open(path, "rb") as f:
            if f.read() != content:
                return False
    return True


def _clean(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts or path.startswith("/") or any(p in (".", "..") for p in parts) or parts[0].startswith(".."):
        raise VolumeError(f"invalid path {path!r}")
    return "/".join(parts)


class Volumes:
    """Sets up and keeps up the volumes of one pod."""

    def __init__(self, pod_dir: str, get: Getter, allocatable: dict[str, str]) -> None:
        self.dir = os.path.join(pod_dir, "volumes")
        self.get = get
        self.allocatable = allocatable
        self.paths: dict[str, str] = {}  # volume name -> host path

    async def setup(self, pod: Obj) -> dict[str, str]:
        """Every volume of ``pod`` made ready; their host paths by name."""
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            name = str(volume.get("name") or "")
            try:
                self.paths[name] = await self._one(pod, name, volume)
            except ConfigError as e:
                raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : {e}') from None
            except VolumeError as e:
                raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : {e}') from None
        return dict(self.paths)

    async def refresh(self, pod: Obj) -> None:
        """Rewrite the secret, configMap, downwardAPI and projected volumes whose sources
        changed (the pod's labels and annotations included)."""
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            if any(k in volume for k in ("secret", "configMap", "downwardAPI", "projected")):
                with contextlib.suppress(VolumeError, ConfigError):
                    await self._one(pod, str(volume.get("name") or ""), volume)

    def teardown(self) -> None:
        if os.path.isdir(self.dir):
            unmount_all(self.dir)

    async def _one(self, pod: Obj, name: str, volume: Obj) -> str:
        path = os.path.join(self.dir, name)
        if "emptyDir" in volume:
            spec = volume.get("emptyDir") or {}
            if spec.get("medium") == "Memory":
                size = 0
                if spec.get("sizeLimit") is not None:
                    try:
                        size = quantity_from_json(spec["sizeLimit"]).value()
                    except (QuantityError, TypeError, ValueError):
                        size = 0
                mount_tmpfs(path, size, 0o777)
            else:
                os.makedirs(path, exist_ok=True)
                os.chmod(path, 0o777)
            return path
        if "hostPath" in volume:
            return _host_path(volume["hostPath"] or {})
        if "persistentVolumeClaim" in volume:
            return await self._claim(pod, volume["persistentVolumeClaim"] or {})
        for kind in ("secret", "configMap", "downwardAPI", "projected"):
            if kind in volume:
                spec = volume.get(kind) or {}
                files = await self._files(pod, kind, spec, int(spec.get("defaultMode", DEFAULT_MODE)))
                mount_tmpfs(path)
                write_atomic(path, files)
                return path
        raise VolumeError("volume type not supported on this node")

    async def _claim(self, pod: Obj, ref: Obj) -> str:
        ns = pod["metadata"].get("namespace") or "default"
        claim = await self.get("persistentvolumeclaims", ns, str(ref.get("claimName") or ""))
        if claim is None:
            raise VolumeError(f'persistentvolumeclaim "{ref.get("claimName")}" not found')
        pv_name = (claim.get("spec") or {}).get("volumeName")
        if not pv_name:
            raise VolumeError(f'PVC {ns}/{ref.get("claimName")} has no bound volume')
        pv = await self.get("persistentvolumes", "", pv_name)
        if pv is None:
            raise VolumeError(f'persistentvolume "{pv_name}" not found')
        claim_ref = (pv.get("spec") or {}).get("claimRef") or {}
        if claim_ref and (claim_ref.get("name"), claim_ref.get("namespace") or ns) != (
                claim["metadata"]["name"], ns):
            raise VolumeError(f"persistentvolume {pv_name} is bound to another claim")
        spec = pv.get("spec") or {}
        source = spec.get("hostPath") or spec.get("local")
        if not source or not source.get("path"):
            raise VolumeError(f"persistentvolume {pv_name}: only hostPath and local volumes can be mounted here")
        return _host_path({"path": source["path"], "type": source.get("type", "DirectoryOrCreate")
                           if "hostPath" in spec else "Directory"})

    async def _files(self, pod: Obj, kind: str, spec: Obj, mode: int) -> dict[str, tuple[bytes, int]]:
        ns = pod["metadata"].get("namespace") or "default"
        if kind == "downwardAPI":
            out: dict[str, tuple[bytes, int]] = {}
            for item in spec.get("items") or ():
                rel = _clean(str(item.get("path") or ""))
                if item.get("fieldRef"):
                    value = field_value(pod, str(item["fieldRef"].get("fieldPath") or ""))
                elif item.get("resourceFieldRef"):
                    value = resource_value(pod, "", item["resourceFieldRef"], self.allocatable)
                else:
                    continue
                out[rel] = (value.encode(), int(item.get("mode", mode)))
            return out
        if kind == "projected":
            out = {}
            for source in spec.get("sources") or ():
                for sub in ("secret", "configMap", "downwardAPI"):
                    if sub in source:
                        out.update(await self._files(pod, sub, source[sub] or {}, mode))
                if "serviceAccountToken" in source:
                    token = await self._token(pod, source["serviceAccountToken"] or {})
                    if token is not None:
                        out[_clean(str(source["serviceAccountToken"].get("path") or "token"))] = (token, mode)
            return out
        secret = kind == "secret"
        # a secret volume names it secretName; a projection's secret source, name
        name = str((spec.get("secretName") if secret else None) or spec.get("name") or "")
        obj = await self.get("secrets" if secret else "configmaps", ns, name)
        title = "secret" if secret else "configmap"
        if obj is None:
            if spec.get("optional"):
                return {}
            raise VolumeError(f'{title} "{name}" not found')
        values = data_bytes(obj, secret)
        items = spec.get("items")
        if not items:
            return {_clean(k): (v, mode) for k, v in values.items()}
        out = {}
        for item in items:
            key = item.get("key")
            if key not in values:
                if spec.get("optional"):
                    continue
                raise VolumeError(f"configmap references non-existent config key: {key}" if not secret
                                  else f'references non-existent secret key: {key}')
            out[_clean(str(item.get("path") or key))] = (values[key], int(item.get("mode", mode)))
        return out

    async def _token(self, pod: Obj, spec: Obj) -> bytes | None:
        """A service account token, when the apiserver issues them (else none is written)."""
        return None


def _host_path(spec: Obj) -> str:
    path = str(spec.get("path") or "")
    kind = spec.get("type") or ""
    if not path.startswith("/"):
        raise VolumeError(f"hostPath {path!r} is not absolute")
    exists = os.path.exists(path)
    if kind == "DirectoryOrCreate" and not exists:
        os.makedirs(path, mode=0o755, exist_ok=True)
    elif kind == "FileOrCreate" and not exists:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
    checks = {"Directory": os.path.isdir, "File": os.path.isfile,
              "Socket": lambda p: stat.S_ISSOCK(os.stat(p).st_mode),
              "CharDevice": lambda p: stat.S_ISCHR(os.stat(p).st_mode),
              "BlockDevice": lambda p: stat.S_ISBLK(os.stat(p).st_mode)}
    if kind in checks and not (os.path.exists(path) and checks[kind](path)):
        raise VolumeError(f"hostPath type check failed: {path} is not a {kind.lower()}")
    elif not kind and not exists:
        os.makedirs(path, mode=0o755, exist_ok=True)  # upstream's runtime creates it too
    return path
