"""The base of every error a user can cause and fix; the CLI and UI show its message as is."""


class StoremonError(Exception):
    """A problem the user can fix; the message says what, where (file:line) and what to do."""
