"""The upload form's CSRF protection: a double-submit token bound to the signed-in user.

The page sets a random nonce in a cookie only this site can read or write
(``HttpOnly``, ``SameSite=Strict``) and puts ``nonce.signature`` in the form, where the
signature is an HMAC of the user's name and the nonce under a server secret. A forged
cross-site form lacks the cookie (SameSite) and cannot compute a valid signature for
another user, so a submission is accepted only when the form's nonce equals the cookie's
and its signature is right for the user now signed in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "oneitu_csrf"
FIELD = "csrf_token"


def new_nonce() -> str:
    """A fresh random nonce for the cookie."""
    return secrets.token_urlsafe(32)


def _signature(secret: bytes, user: str, nonce: str) -> str:
    message = f"oneitu-delivery-csrf\x00{user}\x00{nonce}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def form_token(secret: bytes, user: str, nonce: str) -> str:
    """The value of the form's hidden field for ``user`` and the cookie's ``nonce``."""
    return f"{nonce}.{_signature(secret, user, nonce)}"


def is_valid(secret: bytes, user: str, cookie: str | None, token: str | None) -> bool:
    """Whether a submitted form token matches the cookie and the signed-in user."""
    if not cookie or not token or "." not in token:
        return False
    nonce, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(nonce.encode(), cookie.encode()):
        return False
    return hmac.compare_digest(signature.encode(), _signature(secret, user, nonce).encode())
