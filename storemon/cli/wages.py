"""``storemon wages list|set``: the hourly wage of each role, and of people paid their own."""

from __future__ import annotations

from storemon.cli.common import UserError, acting, emit, now
from storemon.cli.stores import render_table
from storemon.output import render, render_one
from storemon.services.api import Services

ROLE_VALUE = "role"
"""What ``wages set --staff CODE`` takes for "paid their role's wage again"."""


def add_parsers(sub) -> None:
    wages = sub.add_parser("wages", help="hourly wages per role and per person (labour cost)")
    wages_sub = wages.add_subparsers(dest="wages_command", required=True)
    listing = wages_sub.add_parser("list", help="every role's hourly wage, and with --store its people's")
    listing.add_argument("--store", help="also list this store's people and the wage each is paid")
    listing.add_argument("--format", choices=["table", "json", "csv"], default="table")
    listing.set_defaults(handler=cmd_wages_list)

    change = wages_sub.add_parser(
        "set", help="set a role's hourly wage (head office) or one person's own (their store manager)"
    )
    who = change.add_mutually_exclusive_group(required=True)
    who.add_argument("--role", help="staff, shift_lead, store_manager, ...")
    who.add_argument("--staff", metavar="CODE", help="a person's employee code")
    change.add_argument(
        "wage",
        help=f"wage per hour, e.g. 32.50; for --staff, {ROLE_VALUE!r} pays them their role's wage again",
    )
    change.set_defaults(handler=cmd_wages_set)


def cmd_wages_list(args, services: Services) -> int:
    roles = services.labour.role_wages(acting(args))
    people = services.labour.person_wages(acting(args), args.store) if args.store else []
    if args.format == "json":
        emit(render_one({"roles": roles, "people": people}))
        return 0
    if args.format == "csv":
        emit(render(people if args.store else roles, "csv"))
        return 0
    role_rows = [
        {
            "role": r.role,
            "hourly_wage": f"{r.hourly_wage} {r.currency}",
            "set": "default" if r.default else "set",
        }
        for r in roles
    ]
    text = render_table(role_rows, ("role", "hourly_wage", "set"))
    if args.store:
        person_rows = [
            {
                "code": p.staff_code,
                "name": p.name,
                "role": p.role,
                "hourly_wage": f"{p.hourly_wage} {p.currency}",
                "paid": "own wage" if p.source == "person" else "role's wage",
            }
            for p in people
        ]
        columns = ("code", "name", "role", "hourly_wage", "paid")
        text += "\n\n" + (render_table(person_rows, columns) if people else f"nobody at {args.store}")
    emit(text)
    return 0


def cmd_wages_set(args, services: Services) -> int:
    if args.role:
        saved = services.labour.set_role_wage(acting(args), args.role, args.wage, now())
        print(f"{saved.role}: {saved.hourly_wage} {saved.currency} an hour")
        return 0
    if args.wage.strip().casefold() == ROLE_VALUE:
        person = services.labour.set_person_wage(acting(args), args.staff, None, now())
    elif not args.wage.strip():
        raise UserError(f"give a wage such as 32.50, or {ROLE_VALUE!r} for the role's wage")
    else:
        person = services.labour.set_person_wage(acting(args), args.staff, args.wage, now())
    paid = "own wage" if person.source == "person" else f"the {person.role} wage"
    print(f"{person.staff_code} {person.name}: {person.hourly_wage} {person.currency} an hour ({paid})")
    return 0
