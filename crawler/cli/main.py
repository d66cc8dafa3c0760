"""Command line: ``python -m crawler <command>``; one module per command in crawler/cli.

Every command returns an exit status: 0 on success, 2 with a one-line
message on stderr for input or options it cannot use (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from crawler.core.errors import ReportError

# command -> its module, in the order --help lists them: the crawl's own, publishing (Datasette,
# the static report), the national registry. A command's module is imported only when that command
# runs (or for --help): `crawl` need not load matplotlib and pyarrow, `parse` need not load Scrapy.
COMMANDS = {
    name: f"crawler.cli.{name}"
    for name in ("parse", "regions", "crawl", "export", "demo", "rebuild", "show", "stats", "wacz",
                 "serve", "report", "registry", "coverage")
}  # fmt: skip


def _command_of(argv: list[str]) -> str | None:
    """The command named on the command line, when it is one of ours (else None: build them all)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    # the console script installed by pip is govreports; the same commands run as python -m crawler
    prog = "govreports" if os.path.basename(sys.argv[0]) == "govreports" else "python -m crawler"
    parser = argparse.ArgumentParser(prog=prog, description="Crawl, archive and parse 政府信息公开工作年度报告.")
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = _command_of(sys.argv[1:] if argv is None else argv)
    for name, module in COMMANDS.items():
        if wanted in (None, name):
            importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `export | head`: the reader has what it wanted. Every command's output ends here; the rest of
        # stdout goes nowhere, so the interpreter's last flush cannot fail again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # the last boundary: a bug must still end in one line, not a traceback on the user's terminal
        if os.environ.get("GOVREPORTS_DEBUG"):
            raise
        print(f"error: internal error ({type(exc).__name__}: {exc}); GOVREPORTS_DEBUG=1 shows the traceback", file=sys.stderr)
        return 2
