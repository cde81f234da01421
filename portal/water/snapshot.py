"""Site details as a publication shows them.

A published quarter keeps the details of its sites (name, water body, …) as they were when
it was published, so that renaming a site, or any later site import, changes no published
page silently: new details reach the public with the next publication (or a correction,
which carries its reason).  Pages and the API read sites through :class:`PublishedSite`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "stage",
    "county",
    "water_body",
    "centralized",
    "target_class",
    "disinfectant",
    "small_supply",
    "protection_zone",
    "latitude",
    "longitude",
)


@dataclass(frozen=True)
class PublishedSite:
    id: int
    code: str
    name_zh: str
    name_en: str
    stage: str
    county: str
    water_body: str | None
    centralized: bool
    target_class: str | None
    disinfectant: str | None
    small_supply: bool
    protection_zone: str | None
    latitude: str | None
    longitude: str | None

    @property
    def disinfection(self) -> tuple[str, ...] | None:
        return tuple(self.disinfectant.split(";")) if self.disinfectant else None


def capture(site: Any) -> dict[str, Any]:
    """The JSON-safe details of a site (a WaterSite) to store in a publication."""
    return {name: getattr(site, name) for name in FIELDS}


def view(site: Any, snapshot: dict[str, Any] | None) -> PublishedSite:
    """The site as published (``snapshot``), or as stored for publications older than
    snapshots."""
    data = snapshot if snapshot else capture(site)
    known = {f.name for f in fields(PublishedSite)}
    return PublishedSite(id=site.id, **{k: v for k, v in data.items() if k in known})
