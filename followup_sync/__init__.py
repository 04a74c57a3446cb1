"""followup-sync: turn job interviews into a follow-up series and push it where you live."""

__version__ = "0.1.0"
