"""`python -m touchbase_emulator`."""

import sys

from touchbase_emulator.cli import main

sys.exit(main())
