"""``storemon web``: the small web service behind the signed one-time links of pages and backup calls.

``app`` is the Starlette application (one alert per link, no listing, no search), ``page`` its
HTML in English and Chinese, ``server`` runs it with uvicorn (in the foreground, or on a thread
of the worker). The use cases it calls are ``storemon.services.phone_links``.
"""
