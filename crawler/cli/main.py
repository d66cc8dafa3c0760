"""Command line: ``python -m crawler <command>``; one module per command in crawler/cli.

Every command returns an exit status: 0 on success, 2 with a one-line
message on stderr for input or options it cannot use (never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys

from crawler.cli import coverage as coverage_command
from crawler.cli import crawl, demo, export, parse, rebuild, regions, show, stats, wacz
from crawler.cli import registry as registry_command
from crawler.cli import report as report_command
from crawler.cli import serve as serve_command
from crawler.core.errors import ReportError


def build_parser() -> argparse.ArgumentParser:
    # the console script installed by pip is govreports; the same commands run as python -m crawler
    prog = "govreports" if os.path.basename(sys.argv[0]) == "govreports" else "python -m crawler"
    parser = argparse.ArgumentParser(prog=prog, description="Crawl, archive and parse 政府信息公开工作年度报告.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (parse, regions, crawl, export, demo, rebuild, show, stats, wacz):
        module.add_parser(sub)
    # publishing: Datasette and the static report
    for module in (serve_command, report_command):
        module.add_parser(sub)
    # the national registry: discovery and checks, coverage against the division list
    for module in (registry_command, coverage_command):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
