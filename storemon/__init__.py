"""Storemon: staffing, queue waits, shift pressure and escalation for chains of small stores."""

__version__ = "0.1.0"
