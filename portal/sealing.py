"""Staff TOTP secrets sealed at rest (DESIGN §4) with Fernet under PORTAL_TOTP_KEY: one or more comma-separated
keys, the first seals, every one unseals (MultiFernet), so that a key can be replaced without a pause:
put the new key first, `portal staff rotate-key`, then drop the old one."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Development only (config.finalise refuses to start production without PORTAL_TOTP_KEY). A fixed key rather than one
# derived from SECRET_KEY, which is random on each development start: secrets sealed yesterday must still open today.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"housing-portal development TOTP key").digest()).decode()

__all__ = ["DEVELOPMENT_KEY", "InvalidToken", "keys_of", "reseal", "seal", "sealer", "unseal"]


def keys_of(setting: str) -> list[str]:
    """The keys of a PORTAL_TOTP_KEY value; ValueError names the one that is not a Fernet key."""
    keys = [key.strip() for key in setting.split(",") if key.strip()]
    if not keys:
        raise ValueError("no key")
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ValueError(f"key {number} is not a Fernet key (32 url-safe base64-encoded bytes)") from error
    return keys


def sealer(config: Mapping[str, Any]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys_of(str(config["PORTAL_TOTP_KEY"]))])


def seal(config: Mapping[str, Any], secret: str) -> str:
    return sealer(config).encrypt(secret.encode()).decode()


def unseal(config: Mapping[str, Any], sealed: str) -> str:
    """The plain secret; InvalidToken if none of the keys opens it."""
    return sealer(config).decrypt(sealed.encode()).decode()


def reseal(config: Mapping[str, Any], sealed: str) -> str:
    """The same secret sealed under the first key (InvalidToken if no key opens it)."""
    return sealer(config).rotate(sealed.encode()).decode()
