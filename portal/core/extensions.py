"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from portal.core.models import Base


def client_address() -> str:
    """The client's address as seen after ProxyFix: only trusted proxies' headers count."""
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)

# The models' base class. At runtime it is Flask-SQLAlchemy's db.Model (built dynamically from
# Base, with its query property and table-name rules); type checkers see the declarative Base.
if TYPE_CHECKING:
    from portal.core.models import Base as Model
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=client_address, default_limits=[])
