from decimal import Decimal

import pytest

from surveys.core.numbers import plain_number


@pytest.mark.parametrize(
    "stored, shown",
    [
        (Decimal("4.00"), 4),
        (Decimal("100.00"), 100),  # not 1E+2
        (Decimal("2.50"), Decimal("2.5")),
        (4.0, 4),
        (0.6000000000000001, 0.6),
        (1 / 3, 0.333333),
        (3, 3),
        ("不适用", "不适用"),
        (None, None),
    ],
)
def test_numbers_read_as_a_person_writes_them(stored, shown):
    assert plain_number(stored) == shown
    assert str(plain_number(stored)) == str(shown)
