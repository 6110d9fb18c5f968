"""paddock: a Kubernetes-compatible control plane.  The subpackages live in the top-level
folders of the repository (core/, apiserver/, ...) and are mapped here by setup.py."""

__version__ = "0.1.0"
