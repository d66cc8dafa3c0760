"""Entry point of ``python -m crawler``."""

import sys

from crawler.cli.main import main

sys.exit(main())
