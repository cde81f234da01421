"""Drinking-water and surface/ground-water evaluation against the Chinese national standards."""
