"""A pytest plugin for the fault and crash tests: the `figure` fixture records a line
that is printed in the terminal summary (and at once, visible with -s).

Declared once in tests/conftest.py's `pytest_plugins`.
"""

from __future__ import annotations

import pytest

FIGURES: list[str] = []


@pytest.fixture
def figure():
    def record(line: str) -> None:
        FIGURES.append(line)
        print(line)

    return record


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.write_sep("-", "faults and crashes: figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
