"""Dudao (督导): survey and inspection workflow engine."""

from dudao.app import create_app

__all__ = ["create_app"]
