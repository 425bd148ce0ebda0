"""Every moderator action, declared once, as plain data (docs/moderation.md, "The action table").

Each entry says what it may be done to (posts, replies, members), in which states, whether it
needs a reason, what it changes, what the log calls it, what the author is told and what the
moderator reads afterwards. The web handler looks an action up here (unknown: 404; not for
this item as it is now: a calm refusal, nothing changed), ``perform`` carries it out, and the
item page offers only the entries that apply. Nothing here touches the database, so the table
can be checked in unit tests on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from prayerboard.vocab import MemberState, ModerationState, TargetKind


class Effect(StrEnum):
    """What carrying an action out changes (``perform`` has one branch for each)."""

    MODERATE = "moderate"  # the item's moderation state (and the reason its author reads)
    ANONYMISE = "anonymise"  # the post, and its author's replies in the thread, become anonymous
    REDACT = "redact"  # new text; the earlier text is kept for moderators
    LOCK = "lock"  # whether the post takes new replies
    DISMISS = "dismiss"  # settles the reports; an item their reports hid comes back
    RESTRICT_AUTHOR = "restrict_author"  # silences or suspends "the author of post #N"
    LIFT_RESTRICTION = "lift_restriction"  # lifts one such restriction
    REVEAL = "reveal"  # tells an admin who wrote an anonymous post
    MEMBER_STATE = "member_state"  # a member's state, by name
    NOTE = "note"  # a private note about a member


class Place(StrEnum):
    """Where a page offers the action: which form its button belongs to."""

    BUTTONS = "buttons"  # the row of buttons under one reason field
    REDACT = "redact"  # the redaction form, with the new text
    LIFT = "lift"  # beside each restriction in place on the post's author
    NOTE = "note"  # the member page's note form


ALL_STATES = frozenset(ModerationState)
CONTENT = frozenset({TargetKind.POST, TargetKind.REPLY})
POSTS = frozenset({TargetKind.POST})
MEMBERS = frozenset({TargetKind.MEMBER})


@dataclass(frozen=True, slots=True)
class ItemState:
    """What decides which actions apply to a post, a reply or a member right now."""

    kind: TargetKind
    moderation: ModerationState = ModerationState.VISIBLE
    replies_locked: bool = False
    open_reports: bool = False
    anonymous: bool = False
    anonymised_for_good: bool = False  # a post a moderator made anonymous


@dataclass(frozen=True, slots=True)
class Action:
    """One moderator action. ``{what}`` in a notice is "your post" or "your reply"; ``{reason}``
    the moderator's reason; ``{item}`` in ``done`` is "post", "reply" or "member"."""

    name: str  # as in the address: POST /mod/<posts|replies|members>/<id>/<name>
    label: str  # the button
    kinds: frozenset[TargetKind]
    effect: Effect
    log_action: str  # what the log calls it
    needs_reason: bool = True
    states: frozenset[ModerationState] = ALL_STATES  # of a post or reply; members have none here
    replies_locked: bool | None = None  # applies only while replies are (True) or are not (False) locked
    needs_open_reports: bool = False
    anonymous: bool | None = None  # applies only while the item is (True) or is not (False) anonymous
    anonymised_for_good: bool | None = None  # likewise, for a post a moderator made anonymous
    permission: str = "moderate"  # the policy action the moderator needs (policy.RULES)
    sets_moderation: ModerationState | None = None
    author_reads_reason: bool = False  # the reason is kept with the item, for its author to read
    sets_locked: bool | None = None
    sets_member_state: MemberState | None = None
    notice: str = ""  # what the author (or member) is told; "" tells nobody
    done: str = ""  # what the moderator reads next; "" says nothing
    style: str = "secondary"  # the button: "secondary", "danger" or "primary"
    place: Place = Place.BUTTONS
    # The question a page asks before the action is done ("" asks none): hard to undo, so asked
    # twice, in a dialog with JavaScript, on a page of its own without.
    confirm: str = ""
    # The member states a member page offers the action in (the page offers; it does not refuse).
    member_states: frozenset[MemberState] = frozenset(MemberState)

    def applies_to(self, item: ItemState) -> bool:
        """Whether the action can be done to ``item`` as it is now."""
        if item.kind not in self.kinds:
            return False
        if item.kind == TargetKind.MEMBER:
            return True
        return (
            item.moderation in self.states
            and (self.replies_locked is None or item.replies_locked == self.replies_locked)
            and (item.open_reports or not self.needs_open_reports)
            and (self.anonymous is None or item.anonymous == self.anonymous)
            and (self.anonymised_for_good is None or item.anonymised_for_good == self.anonymised_for_good)
        )

    def fits_member(self, state: MemberState) -> bool:
        """Whether a member page offers the action to a member in ``state`` (a silenced one is
        not silenced again, an active one is not restored)."""
        return state in self.member_states

    def notice_for(self, kind: TargetKind, reason: str) -> str:
        what = "your post" if kind == TargetKind.POST else "your reply"
        return self.notice.format(what=what, reason=reason)

    def done_for(self, kind: TargetKind) -> str:
        return self.done.format(item=kind.value)

    def confirm_for(self, kind: str) -> str:
        """The question, for a ``kind`` of item ("post", "reply", "member")."""
        return self.confirm.format(item=str(kind))


def _moderate(
    name: str, to: ModerationState, states: set[ModerationState], notice: str, done: str, **extra: object
) -> Action:
    return Action(
        name=name,
        label=name.capitalize(),
        kinds=CONTENT,
        effect=Effect.MODERATE,
        log_action=name,
        states=frozenset(states),
        sets_moderation=to,
        notice=notice,
        done=done,
        **extra,  # type: ignore[arg-type]
    )


P, V, H, R = ModerationState.PENDING, ModerationState.VISIBLE, ModerationState.HIDDEN, ModerationState.REMOVED

# In the order the item page offers them.
TABLE: tuple[Action, ...] = (
    _moderate(
        "approve",
        V,
        {P},
        "A moderator approved {what}.",
        "The {item} is approved.",
        needs_reason=False,
        style="secondary",
    ),
    # A decision, not a pause: a rejected item leaves the queue, as a removed one does.
    _moderate(
        "reject",
        R,
        {P},
        "A moderator declined {what}: {reason}",
        "The {item} is declined.",
        author_reads_reason=True,
        style="danger",
    ),
    _moderate(
        "hide",
        H,
        {V},
        "A moderator hid {what}: {reason}",
        "The {item} is hidden.",
        author_reads_reason=True,
        style="danger",
    ),
    # Also the way back from a removal made in error.
    _moderate("unhide", V, {H, R}, "A moderator restored {what}.", "The {item} is visible again.", needs_reason=False),
    _moderate(
        "remove",
        R,
        {P, V, H},
        "A moderator removed {what}: {reason}",
        "The {item} is removed.",
        author_reads_reason=True,
        style="danger",
        confirm="Remove this {item}? Only its author and the moderators will see it, with your reason.",
    ),
    Action(
        name="dismiss",
        label="Dismiss",
        kinds=CONTENT,
        effect=Effect.DISMISS,
        log_action="dismiss",
        needs_reason=False,
        needs_open_reports=True,
        done="The reports on the {item} are dismissed.",
    ),
    Action(
        name="anonymise",
        label="Anonymise",
        kinds=POSTS,
        effect=Effect.ANONYMISE,
        log_action="anonymise",
        # Also for a post that is anonymous now: its author could name it again (by an edit, or
        # by showing their name); anonymised by a moderator, it stays anonymous for good.
        anonymised_for_good=False,
        notice="A moderator made {what} anonymous: {reason}",
        done="The post is anonymous now.",
    ),
    Action(
        name="lock",
        label="Lock",
        kinds=POSTS,
        effect=Effect.LOCK,
        log_action="lock",
        replies_locked=False,
        sets_locked=True,
        notice="A moderator closed replies on your post.",
        done="Replies to the post are closed.",
    ),
    Action(
        name="unlock",
        label="Unlock",
        kinds=POSTS,
        effect=Effect.LOCK,
        log_action="unlock",
        needs_reason=False,
        replies_locked=True,
        sets_locked=False,
        notice="A moderator reopened replies on your post.",
        done="Replies to the post are open again.",
    ),
    # The author's notice depends on whether the restriction waits for an admin; it is written
    # by services/restrictions.py, and what the moderator sees next is the same either way.
    Action(
        name="silence_author",
        label="Silence the author",
        kinds=POSTS,
        effect=Effect.RESTRICT_AUTHOR,
        log_action="silence_author",
    ),
    Action(
        name="suspend_author",
        label="Suspend the author",
        kinds=POSTS,
        effect=Effect.RESTRICT_AUTHOR,
        log_action="suspend_author",
        style="danger",
        confirm="Suspend the author of this post? They are signed out everywhere and cannot sign in.",
    ),
    Action(
        name="reveal",
        label="Reveal the author (admins; logged)",
        kinds=POSTS,
        effect=Effect.REVEAL,
        log_action="reveal_author",
        anonymous=True,
        permission="reveal_author",
    ),
    Action(
        name="redact",
        label="Save the redacted text",
        kinds=CONTENT,
        effect=Effect.REDACT,
        log_action="redact",
        notice="A moderator edited {what}: {reason}",
        done="The redacted text of the {item} is saved.",
        place=Place.REDACT,
    ),
    Action(
        name="lift",
        label="Lift",
        kinds=POSTS,
        effect=Effect.LIFT_RESTRICTION,
        log_action="lift_author_restriction",
        place=Place.LIFT,
    ),
    Action(
        name="silence",
        label="Silence",
        kinds=MEMBERS,
        effect=Effect.MEMBER_STATE,
        log_action="silence",
        sets_member_state=MemberState.SILENCED,
        member_states=frozenset({MemberState.ACTIVE}),
        notice="A moderator has paused your posting and replies: {reason}",
        done="The member is silenced.",
    ),
    # No notice: a suspended member cannot sign in to read it.
    Action(
        name="suspend",
        label="Suspend",
        kinds=MEMBERS,
        effect=Effect.MEMBER_STATE,
        log_action="suspend",
        sets_member_state=MemberState.SUSPENDED,
        member_states=frozenset({MemberState.ACTIVE, MemberState.SILENCED}),
        done="The member is suspended.",
        style="danger",
        confirm="Suspend this member? They are signed out everywhere and cannot sign in until restored.",
    ),
    Action(
        name="restore",
        label="Restore",
        kinds=MEMBERS,
        effect=Effect.MEMBER_STATE,
        log_action="restore",
        sets_member_state=MemberState.ACTIVE,
        member_states=frozenset({MemberState.SILENCED, MemberState.SUSPENDED}),
        notice="A moderator has restored your account.",
        done="The member is restored.",
        style="primary",
    ),
    Action(
        name="note",
        label="Add note",
        kinds=MEMBERS,
        effect=Effect.NOTE,
        log_action="note",
        needs_reason=False,
        done="The note is added.",
        place=Place.NOTE,
    ),
)

ACTIONS: dict[str, Action] = {action.name: action for action in TABLE}


def lookup(name: str, kind: TargetKind) -> Action | None:
    """The action ``name`` if it is ever done to a ``kind``; None answers 404."""
    action = ACTIONS.get(name)
    return action if action is not None and kind in action.kinds else None


def offered(item: ItemState, place: Place = Place.BUTTONS) -> list[Action]:
    """The actions a page offers for ``item`` in ``place``, in the table's order (permission aside)."""
    return [action for action in TABLE if action.place == place and action.applies_to(item)]
