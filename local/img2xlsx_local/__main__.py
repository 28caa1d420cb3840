"""``python -m img2xlsx_local`` is ``img2xlsx serve``."""

import sys

from .cli import main

sys.exit(main())
