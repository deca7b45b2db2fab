"""``storemon web``: serve the phone links, or save where they are served and linked from."""

from __future__ import annotations

import sys

from storemon.cli.common import UserError, acting, now
from storemon.services.api import Services


def add_parsers(sub) -> None:
    web = sub.add_parser(
        "web",
        help="serve the signed one-time links of pages and backup calls (answer from the phone)",
    )
    web.add_argument("--listen", metavar="HOST:PORT", help="serve here (default: the web.listen setting)")
    web.add_argument("--base-url", metavar="URL", help="with --save: the public address links start with")
    web.add_argument("--link-hours", type=float, metavar="H", help="with --save: how long a link works")
    web.add_argument(
        "--save",
        action="store_true",
        help="save --listen, --base-url and --link-hours as the chain's web.* settings and exit",
    )
    web.set_defaults(handler=cmd_web)


def cmd_web(args, services: Services) -> int:
    if args.save:
        saved = services.phone_links.save_settings(
            acting(args), now(), listen=args.listen, base_url=args.base_url, link_hours=args.link_hours
        )
        for name, value in saved.items():
            print(f"{name} = {value}")
        return 0
    from storemon.web.server import serve

    listen = args.listen or services.phone_links.settings()["web.listen"]
    if not listen:
        raise UserError("give --listen HOST:PORT (or save web.listen with `storemon web --save --listen`)")
    print(f"storemon web on http://{listen} ({services.description}); Ctrl+C to stop", file=sys.stderr)
    serve(services.database, listen)
    return 0
