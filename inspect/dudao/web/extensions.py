"""Flask extensions, created unbound here and bound to each app in `setup.init_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(
    key_func=get_remote_address,
    in_memory_fallback_enabled=True,
    swallow_errors=True,
    headers_enabled=True,
)
