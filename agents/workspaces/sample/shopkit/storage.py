"""Saving carts to JSON files and loading them back against a catalog."""

from __future__ import annotations

import json
from pathlib import Path

from shopkit.cart import Cart
from shopkit.catalog import Catalog


def save(cart: Cart, path: Path) -> None:
    data = {
        "coupon": cart.coupon,
        "lines": [{"sku": line.product.sku, "quantity": line.quantity} for line in cart.lines],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def load(path: Path, catalog: Catalog) -> Cart:
    data = json.loads(path.read_text(encoding="utf-8"))
    cart = Cart(coupon=data.get("coupon"))
    for line in data["lines"]:
        cart.add(catalog, line["sku"], line["quantity"])
    return cart
