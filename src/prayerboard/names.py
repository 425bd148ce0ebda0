"""What makes a display name honest: no hidden characters, and comparison keys for copies and lookalikes.

Pure functions, tested as plain data; ``services.display_names`` asks the database with them.

The lookalike ``skeleton`` follows the shape of Unicode's UTS #39 skeleton (normalise, map each
character to the one it is mistaken for, compare). Three sources, in order: a small table of our
own for the common Latin, Cyrillic and Greek lookalikes, the digits 0, 1 and 5, and "rn" for
"m"; Latin letters known by their Unicode names as variants of a plain letter (small capitals,
letters with a stroke, the Latin alpha); and for every other script the UTS #39 confusables
data that confusable-homoglyphs ships (it has the data but no skeleton function, so the mapping
to the Latin letter a character passes for is made here). An exact copy is always caught.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# Unicode categories that draw nothing, or nothing honest, in a name: format (zero-width joiners,
# bidirectional overrides, soft hyphen), control, private use, surrogates, line and paragraph
# separators.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Zl", "Zp"})
# Characters of other categories that draw as blank space or nothing at all.
HIDDEN_CHARACTERS = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels, invisible
    "\u2800"  # braille pattern blank
    "\u180b\u180c\u180d\u180f"  # Mongolian free variation selectors
)
# Whitespace a form may send inside a one-line field; it becomes a plain space when cleaned.
_FORM_WHITESPACE = frozenset("\t\n\r")

# Lowercase (after NFKC and case folding) character -> the Latin letter it passes for.
_LOOKALIKES = str.maketrans(
    {
        # digits and signs
        "0": "o",
        "1": "l",
        "|": "l",
        "!": "l",
        "5": "s",
        "$": "s",
        # Latin letters that pass for others once case is gone: I and l
        "i": "l",
        "ı": "l",
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "l",
        "ї": "l",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ѵ": "v",
        "ӏ": "l",
        "ɡ": "g",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "l",
        "κ": "k",
        "μ": "u",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ζ": "z",
        "ϲ": "c",
        "ϳ": "j",
    }
)
_SEQUENCE_LOOKALIKES = (("rn", "m"), ("vv", "w"))
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def hidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that a reader cannot see, as ``U+XXXX`` names, once each."""
    found: list[str] = []
    for char in text:
        if char in _FORM_WHITESPACE:
            continue
        if unicodedata.category(char) in HIDDEN_CATEGORIES or char in HIDDEN_CHARACTERS:
            label = f"U+{ord(char):04X}"
            if label not in found:
                found.append(label)
    return found


def name_key(name: str) -> str:
    """The identity of a name for "is it a copy": compatibility-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# "LATIN LETTER SMALL CAPITAL A", "LATIN SMALL LETTER D WITH STROKE": a variant of one letter.
_LATIN_VARIANT_NAME = re.compile(r"^LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .*)?$")
_LATIN_NAMED_LOOKALIKES = {
    "LATIN SMALL LETTER ALPHA": "a",
    "LATIN SMALL LETTER DOTLESS I": "l",
    "LATIN SMALL LETTER SCRIPT G": "g",
    "LATIN LETTER SMALL CAPITAL I": "l",
}


@lru_cache(maxsize=4096)
def _passes_for(char: str) -> str:
    """The plain Latin letter or digit ``char`` passes for, or ``char`` itself."""
    if char.isascii():
        return char
    name = unicodedata.name(char, "")
    if name in _LATIN_NAMED_LOOKALIKES:
        return _LATIN_NAMED_LOOKALIKES[name]
    variant = _LATIN_VARIANT_NAME.match(name)
    if variant:
        return variant.group(1).lower()
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin", "common"]) or []
    for entry in found:
        for homoglyph in entry["homoglyphs"]:
            letter = homoglyph["c"]
            if len(letter) == 1 and letter.isascii() and letter.isalnum():
                return letter.lower()
    return char


def skeleton(name: str) -> str:
    """What a name looks like, for "is it a lookalike": accents, case, separators and
    lookalikes are gone, so two names a reader could mistake share a skeleton."""
    text = unicodedata.normalize("NFD", name_key(name))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _NOT_LETTER_OR_DIGIT.sub("", text).translate(_LOOKALIKES)
    text = "".join(_passes_for(char) for char in text).translate(_LOOKALIKES)
    for sequence, letter in _SEQUENCE_LOOKALIKES:
        text = text.replace(sequence, letter)
    return text
