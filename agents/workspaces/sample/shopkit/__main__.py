"""`python -m shopkit`: the command line."""

from shopkit.cli import main

raise SystemExit(main())
