"""Temporary re-export while parallel branches land: the guards live in portal.core.permissions."""

from portal.core.permissions import F, require_county, require_role

__all__ = ["F", "require_county", "require_role"]
