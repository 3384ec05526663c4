"""`python -m touchbase`."""

from touchbase.cli import main

raise SystemExit(main())
