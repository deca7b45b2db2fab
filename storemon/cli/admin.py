"""Administration: db upgrade|backup|restore, user list|add|edit|deactivate|passwd, secret set,
audit key|verify."""

from __future__ import annotations

import sys
from pathlib import Path

from storemon.cli.common import UserError, acting, emit, now
from storemon.db.models import Role
from storemon.output import render
from storemon.services.api import Services


def add_parsers(sub) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="upgrade the schema to the newest version").set_defaults(
        handler=cmd_db_upgrade
    )
    backup = db_sub.add_parser("backup", help="copy the SQLite database to PATH (online, consistent)")
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=cmd_db_backup)
    restore = db_sub.add_parser("restore", help="replace the SQLite database with the backup at PATH")
    restore.add_argument("path", type=Path)
    restore.set_defaults(handler=cmd_db_restore)

    user = sub.add_parser("user", help="user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    passwd = user_sub.add_parser("passwd", help="set a user's password (asks for it twice)")
    passwd.add_argument("name")
    passwd.set_defaults(handler=cmd_user_passwd)
    listing = user_sub.add_parser("list", help="the user accounts (head office)")
    listing.add_argument("--all", action="store_true", help="deactivated accounts too")
    listing.add_argument("--format", choices=["text", "json", "csv"], default="text")
    listing.set_defaults(handler=cmd_user_list)
    add = user_sub.add_parser("add", help="a new account (then `storemon user passwd NAME`)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    _user_fields(add)
    add.set_defaults(handler=cmd_user_add)
    edit = user_sub.add_parser("edit", help="change an account's role, scope, name or e-mail")
    edit.add_argument("name")
    edit.add_argument("--role", choices=[r.value for r in Role])
    _user_fields(edit)
    edit.add_argument("--activate", action="store_true", help="let a deactivated account sign in again")
    edit.set_defaults(handler=cmd_user_edit)
    deactivate = user_sub.add_parser("deactivate", help="stop an account signing in (its history stays)")
    deactivate.add_argument("name")
    deactivate.set_defaults(handler=cmd_user_deactivate)

    secret = sub.add_parser("secret", help="passwords and tokens of notification channels, on this computer")
    secret_sub = secret.add_subparsers(dest="secret_command", required=True)
    secret_set = secret_sub.add_parser("set", help="store a secret, e.g. channel.mail.password (asks for it)")
    secret_set.add_argument("name")
    secret_set.set_defaults(handler=cmd_secret_set)

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser(
        "key", help="create this PC's audit checkpoint key (do it once, on the head-office PC)"
    ).set_defaults(handler=cmd_audit_key)
    audit_sub.add_parser("verify", help="check the hash chain of every entry").set_defaults(
        handler=cmd_audit_verify
    )


def cmd_db_upgrade(args, services: Services) -> int:
    print(services.database.upgrade_report.message())
    return 0


def cmd_db_backup(args, services: Services) -> int:
    target = services.db.backup(args.path)
    print(f"backup written to {target}")
    return 0


def cmd_db_restore(args, services: Services) -> int:
    report = services.db.restore(args.path)
    print(report)
    return 0


def _user_fields(parser) -> None:
    parser.add_argument("--display-name", help="the name people see (default: the user name)")
    parser.add_argument("--store", help="store code, for staff, shift leads and store managers")
    parser.add_argument("--region", help="region code, for an operations supervisor")
    parser.add_argument("--email")


def cmd_user_list(args, services: Services) -> int:
    rows = services.users.list(acting(args), include_inactive=args.all)
    if args.format != "text":
        emit(render(rows, args.format))
        return 0
    for row in rows:
        scope = row.store or row.region or "chain"
        flags = ("" if row.active else " (deactivated)") + ("" if row.has_password else " (no password)")
        print(f"{row.username:<16} {row.role:<17} {scope:<8} {row.display_name}{flags}")
    return 0


def cmd_user_add(args, services: Services) -> int:
    row = services.users.add(
        acting(args), args.name, args.role, now(), display_name=args.display_name or "",
        store=args.store, region=args.region, email=args.email or "",
    )  # fmt: skip
    print(
        f"user {row.username} added as {row.role}; set a password with `storemon user passwd {row.username}`"
    )
    return 0


def cmd_user_edit(args, services: Services) -> int:
    row = services.users.edit(
        acting(args), args.name, now(), display_name=args.display_name, role=args.role,
        store=args.store, region=args.region, email=args.email, active=True if args.activate else None,
    )  # fmt: skip
    print(f"user {row.username}: {row.role}{f' at {row.store}' if row.store else ''}"
          f"{f' in {row.region}' if row.region else ''}, {'active' if row.active else 'deactivated'}")  # fmt: skip
    return 0


def cmd_user_deactivate(args, services: Services) -> int:
    row = services.users.deactivate(acting(args), args.name, now())
    print(f"user {row.username} deactivated; they can no longer sign in")
    return 0


def cmd_user_passwd(args, services: Services) -> int:
    from getpass import getpass

    who = acting(args)
    services.auth.check_password_change(who, args.name)  # refused before any prompt
    password = getpass(f"New password for {args.name}: ")
    if getpass("The same again: ") != password:
        raise UserError("the two passwords differ; nothing was changed")
    services.auth.set_password(who, args.name, password, now())
    print(f"password of {args.name} set")
    return 0


def cmd_secret_set(args, services: Services) -> int:
    from getpass import getpass

    from storemon.services.secrets import default_store

    value = getpass(f"Value of {args.name} (not shown): ")
    if not value:
        raise UserError("nothing entered; nothing was stored")
    store = default_store()
    store.set(args.name, value)
    warning = store.storage_warning()
    if warning:
        print(f"storemon: warning: {warning}", file=sys.stderr)
    print(f"secret {args.name} stored ({store.kind})")
    return 0


def cmd_audit_key(args, services: Services) -> int:
    from storemon.config import app_paths
    from storemon.services.audit_anchor import KEY_FILE, load_key

    config_dir = app_paths().config_dir
    existed = load_key(config_dir) is not None
    load_key(config_dir, create=True)
    where = config_dir / KEY_FILE
    print(
        f"audit key {'already at' if existed else 'created at'} {where}; back it up, and keep it off the database server"
    )
    return 0


def cmd_audit_verify(args, services: Services) -> int:
    """The hash chain, then the checkpoints outside the database; a new checkpoint when all is well."""
    from storemon.config import app_paths
    from storemon.services.audit_anchor import CHECKPOINT_FILE, load_key

    paths = app_paths()
    count, problems = services.audit.verify(acting(args))
    anchor = services.audit.check_anchor(
        acting(args), paths.backup_dir / CHECKPOINT_FILE, load_key(paths.config_dir), now()
    )
    for problem in problems:
        print(f"audit entry {problem.entry_id}: {problem.problem}")
    for problem in anchor.problems:
        print(f"{paths.backup_dir / CHECKPOINT_FILE}:{problem.line}: {problem.problem}")
    if problems or anchor.problems:
        total = len(problems) + len(anchor.problems)
        print(f"audit log TAMPERED: {total} problem(s) in {count} entries", file=sys.stderr)
        return 1
    print(f"audit log intact: {count} entries verified against {anchor.checkpoints} checkpoint(s)")
    if anchor.written is None:
        print(
            "no audit key on this PC, so no checkpoint was written: run `storemon audit key` on the head-office PC"
        )
    return 0
