"""nudge: personal events and reminders."""

__version__ = "0.1.0"
