"""Secrets at rest, under keys derived from ENGAGE_SECRET_KEY: platform tokens sealed with
Fernet (`TokenCipher`) and e-mail addresses kept only as a keyed hash (`EmailHasher`).

Sealed values carry a `fernet:` prefix; without a key, values are stored as given, so a
key can be added later (new tokens are sealed, old ones still read). Fallback keys
(ENGAGE_SECRET_KEY_FALLBACKS) still open what they sealed, so the key can be rotated:
`reseal` moves a stored value under the current key.

Cryptography loads only when a cipher or hasher is made, not when this module is imported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

PREFIX = "fernet:"
_INFO = b"engage token encryption v1"


def _fernet(secret_key: str) -> Fernet:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class TokenCipher:
    def __init__(self, secret_key: str, fallbacks: Sequence[str] = ()) -> None:
        from cryptography.fernet import MultiFernet

        keys = [secret_key, *(key for key in fallbacks if key and key != secret_key)]
        self._fernet = MultiFernet([_fernet(key) for key in keys]) if secret_key else None

    def seal(self, value: str) -> str:
        if self._fernet is None:
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        if self._fernet is None:
            raise ConfigError("stored tokens are encrypted: set ENGAGE_SECRET_KEY to read them")
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise ConfigError(
                "ENGAGE_SECRET_KEY (or ENGAGE_SECRET_KEY_FALLBACKS) cannot decrypt the stored "
                "tokens"
            ) from None

    def reseal(self, stored: str) -> str:
        """The stored value sealed under the current key (as given when there is no key)."""
        return self.seal(self.open(stored))


_EMAIL_INFO = b"engage e-mail hash v1"


class EmailHasher:
    """E-mail addresses as an HMAC-SHA256 under a key derived from ENGAGE_SECRET_KEY: the
    same address gives the same hash on every platform, and the address is never kept.
    Without a key, nothing is hashed (and so nobody is linked across platforms)."""

    def __init__(self, secret_key: str) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        self._key = (
            HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_EMAIL_INFO).derive(
                secret_key.encode()
            )
            if secret_key
            else None
        )

    @property
    def enabled(self) -> bool:
        return self._key is not None

    def __call__(self, email: object) -> str | None:
        """The keyed hash of an address (case and surrounding spaces ignored), or None for
        anything that is not one."""
        if self._key is None or not isinstance(email, str):
            return None
        address = email.strip().lower()
        if "@" not in address.strip("@"):
            return None
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()
