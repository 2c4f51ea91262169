"""The ``cysolve`` command (also ``python -m cysolve``)."""

from __future__ import annotations

import argparse
import sys

from cysolve import __version__, xscore


def _xscore(args: argparse.Namespace) -> int:
    score, order = xscore.best_order(args.values, method=args.method)
    print(f"best score: {score}")
    print(f"order (indices): {' '.join(map(str, order))}")
    print(f"order (values):  {' '.join(str(args.values[i]) for i in order)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    print("XScoreGame (TopCoder SRM 709), the official examples:")
    for a in ([1, 2, 3], [10, 0, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0, 1, 0],
              [50, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]):
        score, order = xscore.best_order(a)
        print(f"  {a} -> {score}  (order {order})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cysolve", description=__doc__)
    parser.add_argument("--version", action="version", version=f"cysolve {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("xscore", help="best XScoreGame score and an optimal order")
    p.add_argument("values", nargs="+", type=int, help="the non-negative integers a_i")
    p.add_argument("--method", choices=xscore.METHODS, default="dominance")
    p.set_defaults(run=_xscore)
    p = commands.add_parser("demo", help="solve the bundled examples")
    p.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (TypeError, ValueError, OverflowError) as exc:
        print(f"cysolve: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
