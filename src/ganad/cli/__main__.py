"""`python -m ganad.cli ...`, the same as the `ganad` console script."""

import sys

from . import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
