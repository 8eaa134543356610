"""`python -m ndnclient`: the same as the `ndnclient` command."""

import sys

from ndnclient.cli import main

sys.exit(main())
