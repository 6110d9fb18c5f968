"""Kubernetes ``Status`` errors.

Every failure that reaches a client is a ``Status`` with the reason, code and details that
upstream uses for the same situation, because kubectl builds its error lines from them
(``Error from server (NotFound): pods "x" not found``; for 422 it prints one line per
``details.causes`` entry).
"""

from __future__ import annotations

from typing import Any


class APIError(Exception):
    """An error to be returned to the client as a Status object."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict[str, Any]:
        """The Status object (JSON form) for this error."""
        out: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            out["details"] = self.details
        out["code"] = self.code
        return out


def success_status(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Status with status Success (the reply to some deletes)."""
    out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details is not None:
        out["details"] = details
    return out


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, name: str, group: str = "") -> APIError:
    qr = _qualified(resource, group)
    return APIError(404, "NotFound", f'{qr} "{name}" not found',
                    {"name": name, "group": group, "kind": resource} if group else
                    {"name": name, "kind": resource})


def no_route(message: str = "the server could not find the requested resource") -> APIError:
    return APIError(404, "NotFound", message, {})


def already_exists(resource: str, name: str, group: str = "") -> APIError:
    qr = _qualified(resource, group)
    details: dict[str, Any] = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return APIError(409, "AlreadyExists", f'{qr} "{name}" already exists', details)


def conflict(resource: str, name: str, group: str = "", why: str | None = None) -> APIError:
    qr = _qualified(resource, group)
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    details: dict[str, Any] = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return APIError(409, "Conflict", f'Operation cannot be fulfilled on {qr} "{name}": {why}', details)


def invalid(kind: str, name: str, causes: list[dict[str, Any]], group: str = "") -> APIError:
    """422 Invalid.  The message is upstream's aggregate: one cause bare, several in brackets."""
    parts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"] for c in causes]
    agg = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    qk = f"{kind}.{group}" if group else kind
    details: dict[str, Any] = {"name": name, "kind": kind, "causes": causes}
    if group:
        details["group"] = group
    return APIError(422, "Invalid", f'{qk} "{name}" is invalid: {agg}', details)


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def forbidden(resource: str, name: str, message: str, group: str = "") -> APIError:
    qr = _qualified(resource, group)
    prefix = f'{qr} "{name}" is forbidden: ' if name else f"{qr} is forbidden: "
    return APIError(403, "Forbidden", prefix + message, {"name": name, "kind": resource})


def method_not_supported(resource: str, verb: str) -> APIError:
    return APIError(405, "MethodNotAllowed", f"{verb} is not supported on resources of kind \"{resource}\"",
                    {"kind": resource})


def not_acceptable(accepted: str) -> APIError:
    return APIError(406, "NotAcceptable",
                    f"only the following media types are accepted: {accepted}")


def unsupported_media_type(content_type: str) -> APIError:
    return APIError(415, "UnsupportedMediaType",
                    f'the body of the request was in an unknown format - accepted media types include: '
                    f'application/json, application/yaml, application/merge-patch+json'
                    f' (got "{content_type}")')


def unsupported_patch_type(content_type: str) -> APIError:
    return APIError(415, "UnsupportedMediaType",
                    f'the body of the request was in an unknown format - accepted media types include: '
                    f'application/json-patch+json, application/merge-patch+json, '
                    f'application/apply-patch+yaml, application/strategic-merge-patch+json'
                    f' (got "{content_type}")')


def too_large(limit: int) -> APIError:
    return APIError(413, "RequestEntityTooLarge",
                    f"Request entity too large: limit is {limit}")


def too_many_requests() -> APIError:
    return APIError(429, "TooManyRequests", "Too many requests, please try again later.",
                    {"retryAfterSeconds": 1}, {"Retry-After": "1"})


def expired(message: str) -> APIError:
    return APIError(410, "Expired", message)


def gone(message: str) -> APIError:
    return APIError(410, "Gone", message)


def unauthorized() -> APIError:
    return APIError(401, "Unauthorized", "Unauthorized")


def internal_error(message: str) -> APIError:
    return APIError(500, "InternalError",
                    f'Internal error occurred: {message}', {"causes": [{"message": message}]})


def timeout(message: str) -> APIError:
    return APIError(504, "Timeout", message)
