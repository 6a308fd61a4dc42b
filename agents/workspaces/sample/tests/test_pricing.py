import unittest

from shopkit.cart import Cart
from shopkit.catalog import Catalog, Product
from shopkit.pricing import line_price, total

CATALOG = Catalog([Product("tea", "Green tea", 450, "grocery")])


class PricingTests(unittest.TestCase):
    def test_bulk_discount_applies_from_ten(self) -> None:
        cart = Cart()
        cart.add(CATALOG, "tea", 10)
        self.assertEqual(line_price(cart.lines[0]), 4275)

    def test_total_adds_tax_after_coupon(self) -> None:
        cart = Cart(coupon="welcome10")
        cart.add(CATALOG, "tea", 2)
        self.assertEqual(total(cart), 875)


if __name__ == "__main__":
    unittest.main()
