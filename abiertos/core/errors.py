"""The small vocabulary of errors every service raises.

Each interface (HTML pages, the REST API, the CKAN API) maps them to its own responses in one
place. Messages are user-facing Spanish (through gettext); ``fields`` maps a field name to its
messages so a form or an API client can show each error where it belongs.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str = "", *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = {key: [str(m) for m in msgs] for key, msgs in (fields or {}).items()}

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationError(DomainError):
    code = "validation_error"
    http_status = 400


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429
