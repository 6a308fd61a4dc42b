"""Catalog statistics, run as a script: `python statistics.py data/catalog.csv`.

Its name is the standard library's `statistics`: it is a script of this workspace, and an
`import statistics` elsewhere still means the standard library's module.
"""

import sys
from pathlib import Path

from shopkit.catalog import Catalog


def main(path: str) -> None:
    catalog = Catalog.from_csv(Path(path))
    print(f"{len(catalog)} products")


if __name__ == "__main__":
    main(sys.argv[1])
