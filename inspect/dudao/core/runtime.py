"""What one running Dudao holds: settings, the engine and the session factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dudao.config import Settings
from dudao.core.database import make_engine, make_session_factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine = field(init=False)
    session_factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url)
        self.session_factory = make_session_factory(self.engine, settings=self.settings)
