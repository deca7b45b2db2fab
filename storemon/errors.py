"""The base of every error a user can cause and fix; the CLI and UI show its message as is.

``StoremonError`` is defined in ``alerts.errors`` (``alerts`` may not import ``storemon``, and
its ``DeliveryError`` and ``SettingsError`` are user-fixable errors too); this is the name the
rest of the application uses. Every error class of ``storemon`` and ``alerts`` derives from it.
"""

from alerts.errors import StoremonError

__all__ = ["StoremonError"]
