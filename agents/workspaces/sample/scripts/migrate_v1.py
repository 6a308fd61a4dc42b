"""One-off migration of saved carts from the 0.x format ({"items": {sku: qty}}) to 1.x.

Kept for reference only. It was run as a script, and its early exit (a `return` at module level)
makes it refuse to compile on any Python 3: it still parses, so only compiling it finds that.
"""

import json
import sys
from pathlib import Path

from shopkit.storage import save

source = Path(sys.argv[1])
data = json.loads(source.read_text(encoding="utf-8"))
if "lines" in data:
    print("already migrated")
    return

lines = [{"sku": sku, "quantity": qty} for sku, qty in data["items"].items()]
source.write_text(json.dumps({"coupon": None, "lines": lines}, indent=2), encoding="utf-8")
print(f"migrated {len(lines)} lines; saving with", save.__name__)
