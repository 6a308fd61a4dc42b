"""Discount rules of shopkit 0.x, kept while the last saved carts are migrated.

Nothing imports this module any more: `shopkit.pricing` replaced it in 1.0.
"""

from decimal import Decimal

OLD_COUPONS = {"SPRING5": Decimal("0.05")}


def old_discount(code: str) -> Decimal:
    return OLD_COUPONS.get(code.upper(), Decimal(0))
