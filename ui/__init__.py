"""The PySide6 desktop application. Talks to ``storemon.services`` only, never to the database."""
