"""API token secrets: generated once, stored as a SHA-256 hash, looked up by hash."""

import hashlib
import secrets

TOKEN_PREFIX = "ma_"


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_display_prefix(secret: str) -> str:
    return secret[:10]
