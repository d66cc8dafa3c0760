"""Entry point of ``python -m crawler``."""

import sys

from crawler.cli import main

sys.exit(main())
