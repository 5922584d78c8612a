import sys

from designopt.cli import main

sys.exit(main())
