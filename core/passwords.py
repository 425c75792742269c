"""argon2id hashing (argon2-cffi) of passwords and short codes, off the event loop."""

from __future__ import annotations

import asyncio
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type, hash_secret_raw

# argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 50 ms
# a check here, against about 180 ms for argon2-cffi's default profile. Hashes made with
# other parameters still verify and are upgraded at the next successful sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
CODE_DIGEST_BYTES = 16


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str | None, password: str) -> bool:
    # surrogatepass: a password with a lone surrogate (never accepted by the policy, so
    # never stored) is just wrong, and costs a check like any other
    secret = password.encode("utf-8", "surrogatepass")
    try:
        return _hasher.verify(password_hash or _dummy_hash(), secret) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown account) check a dummy one.

    Verifying against a dummy hash costs the same time as a real check, so the
    answer time does not reveal whether an account exists.
    """
    return await asyncio.to_thread(_verify, password_hash, password)


async def warm_up() -> None:
    """Compute the dummy hash at start-up, so the first unknown-name login is not slower."""
    await asyncio.to_thread(_dummy_hash)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _code_digest(code: str, salt: bytes) -> bytes:
    return hash_secret_raw(
        code.encode("utf-8", "surrogatepass"),
        salt,
        time_cost=_hasher.time_cost,
        memory_cost=_hasher.memory_cost,
        parallelism=_hasher.parallelism,
        hash_len=CODE_DIGEST_BYTES,
        type=Type.ID,
    )


async def code_digest(code: str, salt: bytes) -> bytes:
    """A short code (a 6-digit assistance code) hashed like a password, with its salt.

    A fast hash of a million possible codes falls to an offline search at once; at the
    password cost each guess takes ~50 ms, so searching the space outlasts the code's
    lifetime (at most an hour) on ordinary hardware. lac has no server-side key to HMAC
    with, hence a per-code salt and a slow hash.
    """
    return await asyncio.to_thread(_code_digest, code, salt)
