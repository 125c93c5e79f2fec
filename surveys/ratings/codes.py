"""One-time codes as text: making, normalising what a rater typed, and the keyed hash that
is all the database keeps (pure; the key comes from SECRET_KEY)."""

import secrets

from django.utils.crypto import salted_hmac

# Crockford's base 32: digits and letters without I, L, O and U, so nothing reads as
# something else (a typed O is read as 0, I and L as 1): 5 bits a character.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12  # 60 bits: at 20 guesses per 10 minutes, one hit in ~10^13 years per code
GROUP = 4
KEY_SALT = "ronghe.ratings.code"


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code):
    """ABCD-EFGH-JKMN: easier to copy from a slip."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed):
    """What a rater typed, as a code: case, spaces and dashes ignored; letters that are
    easily confused with digits read as the digit. None if it can't be a code."""
    text = (typed or "").upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    text = "".join(ch for ch in text if ch not in " -_\t\u3000—－")
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def digest(code):
    """HMAC-SHA256 of the code under a key derived from SECRET_KEY: a database dump alone
    gives no usable code, and no code can be checked against it without the key."""
    return salted_hmac(KEY_SALT, code, algorithm="sha256").hexdigest()
