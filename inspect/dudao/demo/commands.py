from __future__ import annotations

import click


@click.command("demo", help="Run a demo organisation with web server, worker and cron.")
def demo_command() -> None:
    raise click.ClickException("not yet")
