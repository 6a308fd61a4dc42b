"""Prices: bulk discounts per line, coupons and tax on the cart."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a cycle with shopkit.cart, for type hints only
    from shopkit.cart import Cart, CartLine

TAX_RATE = Decimal("0.08")
BULK_QUANTITY = 10
BULK_DISCOUNT = Decimal("0.05")
COUPONS = {"WELCOME10": Decimal("0.10"), "TEA20": Decimal("0.20")}


def line_price(line: CartLine) -> int:
    """Return a line's price in cents, with the bulk discount for large quantities."""
    price = Decimal(line.product.price_cents * line.quantity)
    if line.quantity >= BULK_QUANTITY:
        price *= 1 - BULK_DISCOUNT
    return int(price.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def total(cart: Cart) -> int:
    """Return the cart's total in cents: lines, then the coupon, then tax."""
    subtotal = Decimal(sum(line_price(line) for line in cart.lines))
    if cart.coupon is not None:
        subtotal *= 1 - COUPONS.get(cart.coupon.upper(), Decimal(0))
    with_tax = subtotal * (1 + TAX_RATE)
    return int(with_tax.quantize(Decimal(1), rounding=ROUND_HALF_UP))
