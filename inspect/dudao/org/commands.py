from __future__ import annotations

import click


@click.group("org", help="The org chart.")
def org_group() -> None:
    pass
