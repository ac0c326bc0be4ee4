"""`dudao demo`: the one command that starts everything on a machine with nothing set up."""

from __future__ import annotations

import click

from dudao.demo.data import DEFAULT_SEED
from dudao.demo.runner import DemoOptions, run_demo


@click.command(
    "demo",
    help=(
        "Run Dudao with a demo organisation: the web server, an RQ worker and RQ cron, "
        "plus a private Redis when DUDAO_REDIS_URL is not set. Ctrl-C stops everything. "
        "A second run reuses the data already in the database."
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--seed",
    default=DEFAULT_SEED,
    show_default=True,
    type=int,
    help="Seed for the demo organisation (used only when the database has no demo data yet).",
)
@click.option(
    "--no-browser-hint",
    is_flag=True,
    help="Leave out the suggestion to open the address in a browser.",
)
def demo_command(host: str, port: int, seed: int, no_browser_hint: bool) -> None:
    options = DemoOptions(host=host, port=port, seed=seed, browser_hint=not no_browser_hint)
    run_demo(options, echo=click.echo)
