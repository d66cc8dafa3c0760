"""Sub-commands of ``python -m crawler``: one module each, with ``add_parser`` and ``run``."""
