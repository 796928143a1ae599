"""Password hashing with argon2id (argon2-cffi's RFC 9106 parameters), never Werkzeug's defaults."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def decoy_hash() -> str:
    """Checked when there is no account (or no password) to check against, so that a miss costs as long as a
    wrong password and the time of an answer does not tell whether the account exists."""
    return hash_password("decoy password that no account has")


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
