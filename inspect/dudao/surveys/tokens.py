"""Secrets handed to respondents: link tokens and short codes, stored only as hashes."""

from __future__ import annotations

import hashlib
import re
import secrets

#: No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # about 49 bits, and entry is rate limited


def new_token() -> str:
    """A random 128-bit link token, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def new_code() -> str:
    """A short code for a paper slip, shown as XXXXX-XXXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def hash_token(token: str) -> str:
    return hashlib.sha256(b"token:" + token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Upper case, without spaces or dashes; common misreadings mapped (O→0 is not in use)."""
    text = re.sub(r"[\s\-_]", "", code or "").upper()
    return text.replace("O", "0").replace("I", "1").replace("L", "1")


def hash_code(code: str) -> str:
    return hashlib.sha256(b"code:" + normalise_code(code).encode()).hexdigest()
