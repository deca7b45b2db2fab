"""The one door to every use case: a session (or one transaction), the acting user, their role.

A use case is written once, as a function of an open session and the acting user::

    @use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
    def save_surge_calendar(session, actor, calendar): ...

Called with a session, it is a plain step that composes with others inside one transaction
(the rules run, an import, a test's rolled-back transaction). Listed on an area object
(``class Policies(Area): save_surge_calendar = surge.save_surge_calendar``), it becomes the door
the GUI, the CLI, the worker and the kiosk call: ``services.policies.save_surge_calendar(actor,
calendar)`` opens a session (reads) or one transaction (writes, committed on return), turns a
username into an ``Actor`` inside that same session, checks the role through ``access.require``
and runs the body.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storemon.services.access import Actor, Need, actor_for, allows, require

if TYPE_CHECKING:
    from storemon.services.database import Database


class UseCase:
    """A use case body with its transaction kind and role requirement (see the module docstring)."""

    def __init__(
        self,
        body: Callable[..., Any],
        *,
        write: bool,
        needs: Need | None,
        doing: str,
        signed_in: bool,
        commits_despite: tuple[type[Exception], ...],
    ) -> None:
        self.body = body
        self.write = write
        self.needs = needs
        self.doing = doing
        self.signed_in = signed_in
        self.commits_despite = commits_despite
        functools.update_wrapper(self, body)

    def __call__(self, session, *args, **kwargs):
        """Run inside an open session (no commit): the role is still checked."""
        if self.signed_in and self.needs is not None:
            require(args[0], self.needs, self.doing)
        return self.body(session, *args, **kwargs)

    def in_session(self, session, *args, **kwargs):
        """The same as calling the use case with a session; reads better where it composes."""
        return self(session, *args, **kwargs)

    def __get__(self, area: Area | None, owner: type | None = None):
        if area is None:
            return self
        return functools.update_wrapper(functools.partial(self.through, area.database), self.body)

    def through(self, database: Database, *args, **kwargs):
        """Open the session or transaction, resolve the actor in it, check the role, run the body."""
        opened = database.sessions.begin() if self.write else database.sessions()
        failure: Exception | None = None
        with opened as session:
            if self.signed_in:
                args = (resolve_actor(session, args[0]), *args[1:])
            try:
                return self(session, *args, **kwargs)
            except self.commits_despite as exc:
                failure = exc  # leaving the block commits what the failure recorded (a lockout count)
        raise failure


def use_case(
    *,
    write: bool = False,
    needs: Need | None = None,
    doing: str = "do this",
    signed_in: bool = True,
    commits_despite: tuple[type[Exception], ...] = (),
) -> Callable[[Callable[..., Any]], UseCase]:
    """Mark ``body(session, actor, ...)`` as a use case.

    ``write``: one transaction, committed when the body returns (rolled back if it raises, unless
    the exception is one of ``commits_despite``). ``needs``: the lowest ``Role`` or
    ``HEAD_OFFICE`` (checked by ``access.require``, naming ``doing`` when refused).
    ``signed_in=False``: the body takes no actor (sign-in itself, first start, the worker's jobs).
    """

    def mark(body: Callable[..., Any]) -> UseCase:
        return UseCase(
            body,
            write=write,
            needs=needs,
            doing=doing,
            signed_in=signed_in,
            commits_despite=commits_despite,
        )

    return mark


def resolve_actor(session, who: Actor | str) -> Actor:
    """An ``Actor`` as given, or the active user of that name looked up in ``session``."""
    return who if isinstance(who, Actor) else actor_for(session, who)


class Area:
    """A group of use cases on one database: its ``UseCase`` attributes become doors."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def may(cls, actor: Actor, name: str) -> bool:
        """Whether ``actor`` passes the role check of the use case ``name`` of this area (no database
        work): the UI hides or locks what would be refused, the use case still checks on the call."""
        door = getattr(cls, name)
        if not isinstance(door, UseCase):
            raise TypeError(f"{cls.__name__}.{name} is not a use case")
        return not door.signed_in or allows(actor, door.needs)

    @classmethod
    def needs(cls, name: str) -> Need | None:
        """What the use case ``name`` needs (the lowest ``Role``, ``HEAD_OFFICE`` or None)."""
        door = getattr(cls, name)
        return door.needs if isinstance(door, UseCase) else None
