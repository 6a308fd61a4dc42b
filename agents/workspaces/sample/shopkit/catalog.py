"""Products and the catalog they come from (a CSV file)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int
    category: str


class Catalog:
    """Products by SKU."""

    def __init__(self, products: list[Product]) -> None:
        self._by_sku = {product.sku: product for product in products}

    def __getitem__(self, sku: str) -> Product:
        try:
            return self._by_sku[sku]
        except KeyError:
            raise KeyError(f"no product with SKU {sku!r}") from None

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def __len__(self) -> int:
        return len(self._by_sku)

    @classmethod
    def from_csv(cls, path: Path) -> Catalog:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = csv.DictReader(handle)
            return cls(
                [
                    Product(
                        sku=row["sku"],
                        name=row["name"],
                        price_cents=int(row["price_cents"]),
                        category=row["category"],
                    )
                    for row in rows
                ]
            )
