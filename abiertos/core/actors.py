"""Who is acting: a person through the web, a person through an API token, or the system."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The subject of every permission check and audit entry.

    ``scopes`` is ``None`` for a full session; an API token narrows it to the scopes the token
    was created with. ``user`` is ``None`` for anonymous visitors and for the system itself.
    """

    user: Any = None
    via: str = "web"
    scopes: frozenset[str] | None = None
    ip: str = ""
    # Only Actor.system() sets this: the platform itself (commands, jobs, demo seeding) may do anything.
    trusted: bool = False
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def anonymous(cls, ip: str = "") -> Actor:
        return cls(user=None, via="web", ip=ip)

    @classmethod
    def system(cls, reason: str = "system") -> Actor:
        return cls(user=None, via=reason, trusted=True)

    @classmethod
    def for_user(cls, user: Any, *, via: str = "web", scopes: frozenset[str] | None = None, ip: str = "") -> Actor:
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
        return cls(user=user, via=via, scopes=scopes, ip=ip)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_system(self) -> bool:
        return self.trusted and self.user is None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.email
        return "sistema" if self.is_system else "anónimo"

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes
