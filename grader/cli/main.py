"""Entry point of the `grader` console script."""
from __future__ import annotations

import importlib
import pkgutil

import click

import grader
import grader.cli as cli_pkg


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(grader.__version__, prog_name="grader")
def app() -> None:
    """Check and grade neural-network course exercises, with evidence."""


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda i: i.name):
        if info.name in ("main",) or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{cli_pkg.__name__}.{info.name}")
        for cmd in getattr(module, "commands", []):
            app.add_command(cmd)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
