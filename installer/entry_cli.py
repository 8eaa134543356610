"""The frozen `ndnclient` program (console): the command line; with no arguments, the window."""

import sys

from ndnclient.cli import main

if __name__ == "__main__":
    sys.exit(main())
