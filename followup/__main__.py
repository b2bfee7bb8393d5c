"""`python -m followup`: the command line (see followup/cli.py)."""

from followup.cli import main

raise SystemExit(main())
