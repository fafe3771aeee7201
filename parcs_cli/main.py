"""Entry point of the ``parcs`` command.

Each command group lives in its own module exposing ``register(subparsers)``; every handler
returns an exit code. Errors a user can cause (:class:`parcs.ParcsError`, bad arguments) print
one French line on stderr (argparse's own messages translated by :mod:`parcs_cli.options`) and
exit with code 2 — never a traceback. Request options are read by the parsers the API uses
(:mod:`routing.params`), so both accept and refuse the same values.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from parcs._errors import ParcsError
from parcs_cli.options import french_usage_message

#: Modules that register sub-commands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "parcs_cli.data_cmds",
    "parcs_cli.route_cmd",
    "parcs_cli.serve_cmd",
    "parcs_cli.gaps_cmd",
    "parcs_cli.loop_cmd",
    "parcs_cli.editors_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one line, in French (as every other error)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {french_usage_message(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = _Parser(prog="parcs", description="Chaîne des parcs green-route planner")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 user error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except ParcsError as exc:
        print(f"parcs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
