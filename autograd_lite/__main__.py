"""``python -m autograd_lite``: the ``autograd-lite`` command (see ``autograd_lite.cli``)."""

import sys

from autograd_lite.cli import main

if __name__ == "__main__":
    sys.exit(main())
