"""Gift wrapping, a plug-in shipped in the `shopkit_ext` namespace package (no __init__.py).

Other distributions may add modules to `shopkit_ext`; the command line imports this one only
when a cart is wrapped.
"""

from __future__ import annotations

from shopkit.cart import Cart

WRAP_CENTS = 299


def wrap(cart: Cart) -> int:
    """Return the cart's total with gift wrapping, in cents."""
    return cart.total_cents() + WRAP_CENTS
