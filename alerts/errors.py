"""The root of every error a user can cause and fix: ``StoremonError``.

It is defined here, in ``alerts``, because of the dependency rule (DESIGN.md): ``alerts`` may
import nothing of ``storemon``, yet its errors (``DeliveryError``, ``SettingsError``) belong
under the same root as every ``storemon`` error, so that the CLI and the UI can show any of
them as a message rather than a traceback. ``storemon.errors`` re-exports this very class;
application code imports it from there.
"""


class StoremonError(Exception):
    """A problem the user can fix; the message says what, where (file:line) and what to do."""
