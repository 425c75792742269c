"""What a new password must be (DESIGN.md section 9)."""

from __future__ import annotations

import re

from lac.resolvers.errors import LacError
from lac.resolvers.inputs import is_storable

MIN_PASSWORD_LENGTH = 8


def check_password_policy(password: str) -> None:
    """Reject passwords shorter than 8 characters, without both letters and digits, or
    with a character that cannot be stored (NUL, a control character, a lone surrogate,
    which cannot even be hashed)."""
    if (
        len(password) < MIN_PASSWORD_LENGTH
        or not re.search(r"[^\W\d_]", password)
        or not re.search(r"\d", password)
    ):
        raise LacError.bad_input(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters, "
            "with both letters and digits."
        )
    if not is_storable(password):
        raise LacError.bad_input(
            "The password contains a character that is not allowed "
            "(a control character or an unpaired surrogate)."
        )
