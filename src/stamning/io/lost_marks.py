"""Characters a legacy export lost: question marks in a Windows-1252 file that stand for emoji.

Swedish Excel's "CSV (semikolonavgränsad)" is Windows-1252, which has no emoji: Excel writes each one it
cannot hold as "?" (❤️, two code points, as "??"). "Mötena är för långa 😕" arrives as "Mötena är för långa ?",
and a question mark is read as a question (neutral): on the own test set a trailing " ?" changed the side of
16.5 % of the comments (benchmarks/suffix_robustness.py). Real writers put a question mark right after a word,
once, with a space after it. So in a Windows-1252 file three shapes are taken as lost characters: a "?" run
with a space (or the text's start or end) on both sides, a run of two or more, and a "?" directly followed by
a letter or digit ("kampanj?det"). In 2,368 real tweets and YouTube comments (UTF-8, so nothing was lost), 211
hold a "?" and at most 28 of them one of these shapes; a single "?" after a word ("Varför?") is never touched,
though it may have been an emoji too. The model reads the text without them (a space where one stood), the
output keeps the text as it was, and the CLI says how many comments had one and how to keep the characters
("CSV UTF-8"). Text read from UTF-8, UTF-16, Excel or Parquet is never changed. Limits: a Windows-1252 file
whose every character is ASCII (no å/ä/ö anywhere) is indistinguishable from UTF-8 and read as it is; only the
file verbs (classify, summarize, compare, the web app, Ray) read this way, while `train` and `evaluate` read
labelled files as written.
benchmarks/lost_emoji.py measures the whole path on comments with emoji."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

LOSSY_ENCODINGS = frozenset({"cp1252"})  # text encodings without emoji: what they could not hold became "?"
_LOST = re.compile(r"(?<!\S)\?+(?!\S)|\?{2,}|\?(?=\w)")  # standalone; two or more; before a letter
_SPACES = re.compile(r"[ \t]{2,}")


def without_lost_marks(text: object) -> object:
    """``text`` with its lost characters' "?" replaced by a space (double spaces closed up). A text that is
    nothing else (an answer that was only an emoji) and anything that is not a string are returned unchanged."""
    if not isinstance(text, str) or _LOST.search(text) is None:
        return text
    cleaned = _SPACES.sub(" ", _LOST.sub(" ", text)).strip()
    return cleaned if cleaned else text


def texts_for_model(texts: Sequence[object], encoding: str | None) -> list[object]:
    """What the model reads of ``texts`` from a file in ``encoding``: as they are, except from a legacy
    encoding (:data:`LOSSY_ENCODINGS`), where lost characters are left out."""
    if encoding not in LOSSY_ENCODINGS:
        return list(texts)
    return [without_lost_marks(t) for t in texts]


def count_lost_marks(texts: Sequence[object], encoding: str | None) -> int:
    """How many of ``texts`` the model reads without a lost character (0 unless the encoding is legacy)."""
    if encoding not in LOSSY_ENCODINGS:
        return 0
    return sum(1 for t in texts if without_lost_marks(t) is not t)


def lost_marks_note(count: int, name: str) -> str:
    """The note a person reads (counts and the file's name only, never a comment)."""
    one = count == 1
    return (
        f"{count} {'kommentar' if one else 'kommentarer'} i {name} har '?' där exporten (Windows-1252) troligen "
        f"tappat ett tecken, oftast en emoji; modellen läste {'den' if one else 'dem'} utan dessa '?', utfilen har "
        "texten som den var. Emojin själva går inte att få tillbaka: spara som 'CSV UTF-8' i Excel för att behålla dem"
    )


def note_lost_marks(count: int, name: str) -> None:
    """Log the note on ``stamning.sources`` (the CLI prints it as "Obs: …") when any text had a lost character."""
    if count:
        logging.getLogger("stamning.sources").warning(lost_marks_note(count, name))
