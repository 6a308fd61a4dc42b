"""The command line: build a cart from a catalog and print its total."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopkit import storage
from shopkit.cart import Cart
from shopkit.catalog import Catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shopkit")
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--cart", type=Path, help="a saved cart to start from")
    parser.add_argument("--coupon")
    parser.add_argument(
        "actions", nargs="*", help="add SKU QTY | remove SKU | total | wrap | save PATH"
    )
    args = parser.parse_args(argv)
    catalog = Catalog.from_csv(args.catalog)
    cart = storage.load(args.cart, catalog) if args.cart else Cart()
    if args.coupon:
        cart.coupon = args.coupon
    actions = list(args.actions)
    while actions:
        verb = actions.pop(0)
        if verb == "add":
            cart.add(catalog, actions.pop(0), int(actions.pop(0)))
        elif verb == "remove":
            cart.remove(actions.pop(0))
        elif verb == "save":
            storage.save(cart, Path(actions.pop(0)))
        elif verb == "total":
            print(f"{cart.total_cents() / 100:.2f}")
        elif verb == "wrap":
            from shopkit_ext import gift_wrap  # a plug-in, imported only when it is used

            print(f"{gift_wrap.wrap(cart) / 100:.2f}")
        else:
            print(f"unknown action {verb!r}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
