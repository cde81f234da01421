"""Officials and their roles. Citizens have no accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.extensions import Model
from portal.core.models import TimestampMixin, UTCDateTime, intpk, str20, str64
from portal.core.permissions import Role


def _in(values: Iterable[str]) -> str:
    return ",".join(f"'{v}'" for v in values)


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(Model, TimestampMixin):
    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str20]
    county: Mapped[str20 | None]  # None: the whole region
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str64] = mapped_column(default=new_session_token)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint(f"role in ({_in(Role)})", name="role_known"),)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: Role | str) -> bool:
        return self.role == Role.ADMIN or self.role in {str(r) for r in roles}

    def may_act_in(self, county: str | None) -> bool:
        """County-scoped officials act only in their county; region-wide ones anywhere."""
        return self.county is None or self.county == county

    @property
    def role_label(self) -> str:
        return Role(self.role).label
