"""Tokens sealed at rest with the key from ENGAGE_SECRET_KEY."""

from __future__ import annotations

import pytest

from bot.crypto import TokenCipher
from bot.errors import ConfigError

TOKEN = "xoxb-2478213-7081264813-Zq8f2c1bT0kEn"


def test_sealed_tokens_open_with_the_same_key_only() -> None:
    sealed = TokenCipher("q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a").seal(TOKEN)
    assert sealed.startswith("fernet:")
    assert TOKEN not in sealed
    assert TokenCipher("q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a").open(sealed) == TOKEN
    with pytest.raises(ConfigError, match="cannot decrypt"):
        TokenCipher("another key entirely").open(sealed)
    with pytest.raises(ConfigError, match="set ENGAGE_SECRET_KEY"):
        TokenCipher("").open(sealed)


def test_without_a_key_tokens_are_kept_as_given_and_still_read_once_a_key_is_set() -> None:
    plain = TokenCipher("").seal(TOKEN)
    assert plain == TOKEN
    assert TokenCipher("a key added later").open(plain) == TOKEN


def test_each_seal_is_different() -> None:
    cipher = TokenCipher("q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a")
    assert cipher.seal(TOKEN) != cipher.seal(TOKEN)


def test_fallback_keys_open_what_they_sealed_and_reseal_moves_it_under_the_current_key() -> None:
    old, new = "q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a", "Xn4b7Qe2Lm9Tz1Kc5Rv8Wy3Hd6Gs0Pu"
    sealed = TokenCipher(old).seal(TOKEN)
    rotating = TokenCipher(new, fallbacks=(old,))
    assert rotating.open(sealed) == TOKEN
    resealed = rotating.reseal(sealed)
    assert TokenCipher(new).open(resealed) == TOKEN
    with pytest.raises(ConfigError, match="cannot decrypt"):
        TokenCipher(old).open(resealed)
    with pytest.raises(ConfigError, match="cannot decrypt"):
        TokenCipher(new).open(sealed)
    assert TokenCipher(new).open(rotating.reseal(TOKEN)) == TOKEN  # stored before any key
