"""The one error type of lac and its stable codes (DESIGN.md section 10).

Resolvers raise `LacError`; the GraphQL layer turns it into an error whose
`extensions.code` is the code. Anything else that escapes is masked as
INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    FEATURE_DISABLED = "FEATURE_DISABLED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    GUEST_ORDER = "GUEST_ORDER"
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE"
    CUSTOMER_CONSENT_REQUIRED = "CUSTOMER_CONSENT_REQUIRED"
    NO_STORE_VIEW = "NO_STORE_VIEW"
    STORE_VIEW_REQUIRED = "STORE_VIEW_REQUIRED"
    SECRET_INVALID_OR_EXPIRED = "SECRET_INVALID_OR_EXPIRED"  # noqa: S105 (a code, not a secret)
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    """Apollo's code for a persisted-query hash the service does not know (not DESIGN's)."""


SIGN_IN_INCORRECT = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
ACCOUNT_LOCKED_MESSAGE = (
    "Your account is temporarily locked after too many failed sign-in attempts. "
    "Please wait and try again later."
)
NOT_AUTHENTICATED = "Authentication required: send a valid bearer token."
NOT_ALLOWED = "You are not allowed to perform this operation."
READ_ONLY_SESSION = "This assistance session is read-only."


class LacError(Exception):
    """A refusal or failure the caller should see, with a stable code."""

    def __init__(self, code: ErrorCode, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions = extensions

    @classmethod
    def unauthenticated(cls, message: str = NOT_AUTHENTICATED) -> LacError:
        return cls(ErrorCode.UNAUTHENTICATED, message)

    @classmethod
    def forbidden(cls, message: str = NOT_ALLOWED) -> LacError:
        return cls(ErrorCode.FORBIDDEN, message)

    @classmethod
    def bad_input(cls, message: str) -> LacError:
        return cls(ErrorCode.BAD_USER_INPUT, message)

    @classmethod
    def not_found(cls, message: str) -> LacError:
        return cls(ErrorCode.NOT_FOUND, message)
