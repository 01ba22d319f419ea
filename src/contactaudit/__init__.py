"""contactaudit: find the phone data that sends a debt text to the wrong person."""

__version__ = "0.1.0"
