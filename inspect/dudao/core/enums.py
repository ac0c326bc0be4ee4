"""Small closed vocabularies shared by several features."""

from __future__ import annotations

from enum import StrEnum


class UnitLevel(StrEnum):
    GROUP = "group"
    COMPANY = "company"
    UNIT = "unit"
    BRANCH = "branch"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    INSPECTOR = "inspector"
    UNIT_LEAD = "unit_lead"
    REPRESENTATIVE = "representative"
