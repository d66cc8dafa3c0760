"""Tests of crawler.core.errors.first_line: the one-line form of an exception for a user's message."""

from __future__ import annotations

from crawler.core.errors import first_line


def test_a_message_run_on_over_lines_is_cut_to_its_first() -> None:
    exc = ValueError("  connection refused\n\tIs the server running on host db?\n")
    assert first_line(exc) == "connection refused"


def test_an_empty_message_gives_the_type_name() -> None:
    assert first_line(OSError()) == "OSError"
    assert first_line(RuntimeError("  \n ")) == "RuntimeError"
