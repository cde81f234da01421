"""Pure logic for public pollution reports (12369-style): codes, workflow, event log, stats."""
