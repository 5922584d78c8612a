"""``python -m designopt``: the ``designopt`` command."""

import sys

from designopt.cli import main

if __name__ == "__main__":  # not on import (the documentation build imports every module)
    sys.exit(main())
