"""Resume codes: what people type back is forgiven, and only a keyed hash identifies one."""

from __future__ import annotations

import pytest

from screener.patient import resume_codes


def test_new_codes_use_the_alphabet_and_survive_normalising():
    codes = [resume_codes.new() for _ in range(200)]
    assert all(len(c) == resume_codes.LENGTH for c in codes)
    assert all(set(c) <= set(resume_codes.ALPHABET) for c in codes)
    assert all(resume_codes.normalise(c) == c for c in codes)
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("7kq2-m9xd-4hrt", "7KQ2M9XD4HRT"), (" 7KQ2 M9XD 4HRT ", "7KQ2M9XD4HRT"),
     ("OIL0", "0110"), ("ab–cd", "ABCD"), ("", ""), ("Ж7", "7")],
)
def test_normalise_forgives_case_spaces_dashes_and_misreadings(typed, normalised):
    assert resume_codes.normalise(typed) == normalised


def test_display_groups_by_four():
    assert resume_codes.display("7KQ2M9XD4HRT") == "7KQ2-M9XD-4HRT"


def test_digest_is_keyed_and_ignores_how_the_code_was_typed():
    code = "7KQ2M9XD4HRT"
    digest = resume_codes.digest(code, "one")
    assert digest == resume_codes.digest("7kq2-m9xd-4hrt", "one")
    assert digest != resume_codes.digest(code, "two")
    assert code not in digest and len(digest) == 64


def test_from_number_spells_a_valid_code():
    code = resume_codes.from_number(2**64 - 1)
    assert len(code) == resume_codes.LENGTH and set(code) <= set(resume_codes.ALPHABET)
    assert resume_codes.from_number(0) == "0" * resume_codes.LENGTH
    assert resume_codes.from_number(1) != resume_codes.from_number(2)
