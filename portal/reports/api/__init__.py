"""Machine APIs of the reports feature (Open311 GeoReport v2)."""
