"""The survey link's token: the invitation's id, signed (django.core.signing, own salt).

It says which invitation and nothing else; whether it may still be answered (once,
within 30 days) is the invitation row's to say. A token altered by one character fails
its signature and finds nothing."""

from django.core import signing

SALT = "casework.surveys.invitation"


def make_token(invitation_pk: int) -> str:
    return signing.Signer(salt=SALT).sign(str(invitation_pk))


def read_token(token: str) -> int | None:
    """The invitation's id, or None for a token that is not ours or was altered."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
