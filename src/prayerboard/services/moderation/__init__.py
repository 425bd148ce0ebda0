"""Moderation, one room per job (docs/moderation.md).

- ``limits``: hourly limits, watched-word screening, first-post approval (posts use it).
- ``reports``: members' reports, which reporters count, hiding an item at once.
- ``actions``: the declared table of every moderator action, as plain data.
- ``perform``: carrying an action from the table out on a post, a reply or a member.
- ``items``: loading the post or reply an action is about, and its state.
- ``log``: the append-only log and the notice the author gets, written together.
- ``admin``: roles and watched words (admins).
- ``queue``: the review queue, its waiting count, and the item and member pages.

Nothing is imported here, so ``services.posts`` can use ``limits`` and ``log`` while
``reports`` and ``perform`` use ``services.posts`` without a cycle.
"""
