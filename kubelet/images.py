"""Which command an image stands for.  There is no registry and nothing is pulled: a
container that states its ``command`` runs it from the host's filesystem whatever its
image; one that does not runs the entrypoint its image has in the node's image map (a few
well-known images built in, more from ``--image-map FILE``: JSON or YAML of
``image: {command: [...], args: [...]}``).  An image that is in neither fails with
``ErrImagePull`` and a message that says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

BUILTIN: dict[str, dict[str, list[str]]] = {
    "busybox": {"command": ["sh"]},
    "alpine": {"command": ["/bin/sh"]},
    "debian": {"command": ["bash"]},
    "ubuntu": {"command": ["bash"]},
    "python": {"command": ["python3"]},
    "pause": {"command": ["sleep", "infinity"]},
    "registry.k8s.io/pause": {"command": ["sleep", "infinity"]},
    "nginx": {"command": ["python3", "-m", "http.server", "80"]},
    "httpd": {"command": ["python3", "-m", "http.server", "80"]},
    "agnhost": {"command": ["sleep", "infinity"]},
}


class ImageError(Exception):
    """The image cannot be run here; ``str()`` is the pod's message."""


def _names(image: str) -> list[str]:
    """``docker.io/library/busybox:1.36@sha256:…`` → the names to look up, most precise first."""
    ref = image.split("@", 1)[0]
    names = [ref]
    repo, _, tag = ref.rpartition(":")
    if tag and "/" not in tag and repo:
        names.append(repo)
    else:
        repo = ref
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if repo.startswith(prefix):
            names.append(repo[len(prefix):])
    if "/" in repo:
        names.append(repo.rsplit("/", 1)[1])
    return names


@dataclass
class ImageMap:
    images: dict[str, dict[str, list[str]]]

    @classmethod
    def load(cls, path: str = "") -> ImageMap:
        images = dict(BUILTIN)
        if path:
            with open(path) as f:
                extra = yaml.safe_load(f) or {}
            if not isinstance(extra, dict):
                raise ValueError(f"{path}: the image map must be a mapping of image to entrypoint")
            for name, entry in extra.items():
                if not isinstance(entry, dict) or not isinstance(entry.get("command", []), list):
                    raise ValueError(f"{path}: {name}: want {{command: [...], args: [...]}}")
                images[str(name)] = {k: [str(a) for a in v] for k, v in entry.items()
                                     if k in ("command", "args")}
        return cls(images)

    def argv(self, container: dict[str, Any]) -> list[str]:
        """The command line of ``container``: its own command and args, else its image's."""
        command = [str(a) for a in container.get("command") or ()]
        args = [str(a) for a in container.get("args") or ()]
        if command:
            return command + args
        image = str(container.get("image") or "")
        for name in _names(image):
            entry = self.images.get(name)
            if entry is not None and entry.get("command"):
                return list(entry["command"]) + (args or list(entry.get("args") or ()))
        raise ImageError(
            f'image "{image}" is not available on this node: there is no registry, so a container '
            "runs its command from the node's filesystem; give it a command, or map the image "
            "to an entrypoint with the kubelet's --image-map")
