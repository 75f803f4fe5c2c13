"""Password hashing (argon2id) and the password policy of docs/SECURITY.md."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 128
# Hashes made by Werkzeug's defaults (imported accounts); verified once, then upgraded.
LEGACY_PREFIXES = ("scrypt:", "pbkdf2:")

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# A precomputed hash to verify against when the account does not exist, so that the time
# taken does not reveal whether an e-mail address is registered.
_DUMMY_HASH = _hasher.hash("not a real password, only here for constant timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30 000 most common passwords shipped with zxcvbn."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is on a list of commonly used passwords; choose another."
    local_part = email.split("@", 1)[0].lower()
    if lowered in {email.lower(), local_part, name.lower()}:
        return "Do not use your e-mail address or name as your password."
    return None


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in roughly constant time, whether or not the account exists."""
    if password_hash and password_hash.startswith(LEGACY_PREFIXES):
        return check_password_hash(password_hash, password)
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash is older or weaker than the current parameters."""
    if password_hash.startswith(LEGACY_PREFIXES):
        return True
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
