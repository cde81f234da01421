"""What every feature shares: model base, audit log, i18n, security, errors, HTTP helpers."""
