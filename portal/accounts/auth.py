"""Temporary re-export while parallel branches land: the guards live in portal.core.permissions."""

from portal.core.permissions import F, may_act_in, require_county, require_role

__all__ = ["F", "may_act_in", "require_county", "require_role"]
