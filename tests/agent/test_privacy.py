"""Masking of phones and emails before text reaches an LLM, and restoring them afterwards."""
from __future__ import annotations

from hypothesis import given, strategies as st

from agent.privacy import Masker


def test_masks_common_phone_forms_and_emails_in_order():
    masker = Masker("BD")
    text = "call 01712-345678 or +880 1712 345678 (8801812345678), mail Rahim@Example.com"
    masked = masker.mask(text)
    assert masked == "call [PHONE_1] or [PHONE_2] ([PHONE_3]), mail [EMAIL_1]"
    assert masker.unmask(masked) == text


def test_same_value_gets_the_same_placeholder_and_dates_amounts_stay():
    masker = Masker("BD")
    assert masker.mask("01712345678 then 01712345678") == "[PHONE_1] then [PHONE_1]"
    kept = "on 2026-11-27 at 10:30, BDT 4,500, order 123456, 2026-11-20T10:30:00+06:00"
    assert masker.mask(kept) == kept


def test_values_inside_json_like_structures():
    masker = Masker("BD")
    masked = masker.mask_value({"phone": "+8801712345678", "list": ["x@y.co", 3], "n": None})
    assert masked == {"phone": "[PHONE_1]", "list": ["[EMAIL_1]", 3], "n": None}
    assert masker.unmask_value(masked) == {"phone": "+8801712345678", "list": ["x@y.co", 3], "n": None}


def test_unknown_placeholders_are_left_alone():
    assert Masker().unmask("[PHONE_9] stays") == "[PHONE_9] stays"


@given(st.from_regex(r"01[3-9]\d{8}", fullmatch=True), st.text(alphabet="abc ,.", max_size=20))
def test_any_bangladeshi_mobile_is_masked(number, filler):
    masker = Masker("BD")
    masked = masker.mask(f"{filler} {number} {filler}")
    assert number not in masked and number[-6:] not in masked
    assert masker.unmask(masked) == f"{filler} {number} {filler}"


def test_a_local_number_between_commas_is_a_phone_not_a_json_number():
    assert Masker("BD").mask(", 01300000000 ,") == ", [PHONE_1] ,"
    assert Masker("BD").mask('{"n": 1712345678, "phone": "01712345678"}') == '{"n": 1712345678, "phone": "[PHONE_1]"}'
