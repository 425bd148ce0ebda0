"""A new display name must not pass for someone else (docs/security.md, "Display names").

Refused, at the display name's field: an exact copy (``names.name_key``) of another member's
display name or username, a lookalike (``names.skeleton``) of a moderator's or an admin's
username or display name, and the names the board itself shows in place of a person.
"""

from __future__ import annotations

from prayerboard import names
from prayerboard.forms import FormErrors
from prayerboard.policy import MODERATOR_ROLES
from prayerboard.tables import Member

# What the board shows instead of a name: a member called so would pass for the board's own words.
BOARD_WORDS = ("Anonymous", "Deleted member")

COPY_MESSAGE = "Another member already goes by that name. Please add something to tell you apart, like an initial."
LOOKALIKE_MESSAGE = "That name looks too much like a moderator's. Please choose another."
BOARD_WORDS_MESSAGE = "The board uses that name itself. Please choose another."


async def check_display_name(display_name: str, values: dict[str, str], member_id: int | None = None) -> None:
    """Refuse a display name that copies a member or looks like staff; ``values`` refill the form.

    ``member_id`` is the member choosing it (None while registering): their own names are theirs.
    Every member's names are read and compared here, in Python, because the comparison keys
    (NFKC, case folding, the lookalike table) are not something both SQLite and PostgreSQL can
    compute in a query; a board's members number in the thousands at most.
    """
    key, shape = names.name_key(display_name), names.skeleton(display_name)
    if not key:
        return
    if shape in {names.skeleton(word) for word in BOARD_WORDS}:
        raise FormErrors({"display_name": BOARD_WORDS_MESSAGE}, values)
    query = Member.select(Member.id, Member.username, Member.display_name, Member.role)
    for row in await query:
        if row["id"] == member_id:
            continue
        theirs = (row["username"], row["display_name"])
        if key in {names.name_key(name) for name in theirs}:
            raise FormErrors({"display_name": COPY_MESSAGE}, values)
        if row["role"] in MODERATOR_ROLES and shape in {names.skeleton(name) for name in theirs}:
            raise FormErrors({"display_name": LOOKALIKE_MESSAGE}, values)
