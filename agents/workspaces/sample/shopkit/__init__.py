"""shopkit: a small shopping-cart library."""

from shopkit.cart import Cart, CartLine
from shopkit.catalog import Catalog, Product
from shopkit.pricing import total

__all__ = ["Cart", "CartLine", "Catalog", "Product", "total"]
__version__ = "1.2.0"
