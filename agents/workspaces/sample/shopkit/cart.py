"""The cart: lines of products and quantities."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopkit import pricing
from shopkit.catalog import Catalog, Product


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def subtotal_cents(self) -> int:
        return pricing.line_price(self)


@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)
    coupon: str | None = None

    def add(self, catalog: Catalog, sku: str, quantity: int = 1) -> None:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        for line in self.lines:
            if line.product.sku == sku:
                line.quantity += quantity
                return
        self.lines.append(CartLine(catalog[sku], quantity))

    def remove(self, sku: str) -> None:
        self.lines = [line for line in self.lines if line.product.sku != sku]

    def total_cents(self) -> int:
        return pricing.total(self)
