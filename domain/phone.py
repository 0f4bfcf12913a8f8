"""Phone numbers in one canonical form (E.164), parsed with Google's libphonenumber rules."""
from __future__ import annotations

import phonenumbers

from domain.errors import DomainError


def normalize_phone(raw: str, region: str = "BD") -> str:
    """``01712-345678``, ``+880 1712 345678`` and ``8801712345678`` all become ``+8801712345678``."""
    text = (raw or "").strip()
    if not text:
        raise DomainError("phone number is empty", field="phone")
    digits = "".join(ch for ch in text if ch.isdigit())
    candidates = [text]
    if not text.startswith("+") and region == "BD" and digits.startswith("880"):
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise DomainError(
        f"{raw!r} is not a valid phone number; write it like 01712-345678 or +880 1712 345678",
        field="phone",
    )


def try_normalize_phone(raw: str, region: str = "BD") -> str | None:
    """The canonical form, or None when ``raw`` is not a phone number."""
    try:
        return normalize_phone(raw, region)
    except DomainError:
        return None


def display_phone(e164: str | None) -> str:
    """``+8801712345678`` -> ``01712-345678`` for Bangladeshi numbers, international format otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 880:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return national.replace(" ", "").replace("-", "")[:5] + "-" + national.replace(" ", "").replace("-", "")[5:]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str | None) -> str:
    """Keep the last three digits only: ``+8801712345678`` -> ``+880*******678``."""
    if not e164:
        return ""
    return e164[:4] + "*" * max(len(e164) - 7, 0) + e164[-3:]
