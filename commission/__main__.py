"""Allow ``python -m commission``."""

from commission.cli import main

raise SystemExit(main())
