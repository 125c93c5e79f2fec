"""How a stored number reads to a person: one rule for answers, weights, bands and scores."""

from decimal import Decimal


def plain_number(value):
    """A number as a person would write it: 4, not 4.0 or 4.00; 2.5, not 2.50; 0.6, not
    0.5999999999999999 (a float that arithmetic, e.g. AHP weights, left a hair off: six
    decimals are kept). Anything else is returned as it is."""
    if isinstance(value, Decimal):
        # Decimal("100.00").normalize() is 1E+2: whole numbers become integers instead.
        return int(value) if value == value.to_integral_value() else value.normalize()
    if isinstance(value, float):
        value = round(value, 6)
        if value.is_integer():
            return int(value)
    return value
