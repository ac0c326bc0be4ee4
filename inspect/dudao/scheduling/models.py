"""Schedules (periodic inspections from an RRULE) and random spot-check draws (双随机)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit


class Schedule(Base):
    """What to inspect, where and how often; loaded from workflows/schedules/ or edited on the web.

    `assignment` holds the policy: ``{"policy": "named", "inspectors": [usernames]}``,
    ``{"policy": "unit_lead"}`` or ``{"policy": "pool", "pool": [usernames], "count": 2}``.
    """

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    definition_key: Mapped[str] = mapped_column(String(100))
    workflow: Mapped[str] = mapped_column(String(64), default="inspection")
    scope_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclude_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    rrule: Mapped[str] = mapped_column(Text)
    dtstart: Mapped[date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(default=30)
    assignment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    source_file: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    scope_unit: Mapped[Unit] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class SpotCheckDraw(Base):
    """A reproducible random draw: seed, inputs, parameters and algorithm are kept so that
    anyone entitled can recompute it (`dudao draw verify`)."""

    __tablename__ = "spot_check_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    definition_key: Mapped[str] = mapped_column(String(100))
    workflow: Mapped[str] = mapped_column(String(64), default="inspection")
    seed: Mapped[str] = mapped_column(String(64))
    #: Typed in by whoever drew, not generated: anyone can try seeds offline against the
    #: published algorithm, so the draw and its public page say which it was.
    seed_given: Mapped[bool] = mapped_column(default=False, server_default=false())
    algorithm: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_hash: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[date] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
