"""The link that confirms an applicant's email address: the user's id and a digest of the address
it was sent to, signed with a timestamp (django.core.signing), good for three days. A link for an
address the account no longer has is not valid."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.core import signing

MAX_AGE = timedelta(days=3)
_SALT = "portal.email-verification"


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def verification_token_make(user) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object({"u": user.pk, "e": _digest(user.email)})


def verification_token_read(token: str) -> tuple[int, str]:
    """(user id, email digest). Raises signing.SignatureExpired for a link older than MAX_AGE and
    signing.BadSignature for anything altered or made up."""
    payload = signing.TimestampSigner(salt=_SALT).unsign_object(token, max_age=MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise signing.BadSignature("Not a verification token.")
    return payload["u"], str(payload.get("e", ""))


def email_matches(user, digest: str) -> bool:
    return hmac.compare_digest(_digest(user.email), digest)
