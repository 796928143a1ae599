"""Password hashing with argon2id (argon2-cffi's RFC 9106 parameters), never Werkzeug's defaults.

PORTAL_PASSWORD_HASH = "fast" gives argon2id at its cheapest, for tests that are not about hashing; the
configuration refuses it outside TESTING (portal/config.py). A hash carries its own parameters, so either
setting verifies hashes made by the other.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

HASHERS = {
    "argon2id": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def _hasher_name() -> str:
    return str(current_app.config["PORTAL_PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return HASHERS[_hasher_name()].hash(password)


@cache
def _decoy_hash(hasher_name: str) -> str:
    return HASHERS[hasher_name].hash("decoy password that no account has")


def decoy_hash() -> str:
    """Checked when there is no account (or no password) to check against, so that a miss costs as long as a
    wrong password and the time of an answer does not tell whether the account exists."""
    return _decoy_hash(_hasher_name())


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return HASHERS["argon2id"].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
