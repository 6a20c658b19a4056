"""Redaction of personal data in Swedish free text: typed placeholders instead of the data.

    >>> redact("Ring Anna Berg på 070-123 45 67 eller mejla anna.berg@exempel.se")
    'Ring [NAMN] på [TELEFON] eller mejla [EPOST]'

Kinds, in the order they win when two overlap: ``[EPOST]``, ``[URL]``, ``[PERSONNUMMER]``
(also samordningsnummer), ``[TELEFON]``, ``[ADRESS]`` (street and number, with flat, floor and
postcode when they follow) and ``[NAMN]``. Only the found spans change; every other character,
spacing included, is kept, and redacting twice gives the same text as redacting once.

Policy where a pattern is ambiguous (precision first, except for identity numbers):

- Identity numbers need a real date (day + 60 for samordningsnummer) and a valid Luhn check digit,
  so order and invoice numbers, dates and amounts stay; right after "order", "faktura", "ärende",
  "OCR" and the like a number is never one. Right after "personnummer"/"pnr" it always is, even
  with a wrong check digit (the context says what it is). A bare ten-digit number that starts with
  0 and is also a valid phone number is taken as a phone number unless "personnummer"/"pnr"
  precedes it.
- Phone numbers start with 0, +46/0046 or another +country code and have the length of a Swedish
  number; dates (``05-12-2024``), opening hours (``0800-1700``), years, ranges (``2019-2023``),
  amounts and bare digit strings after "order", "faktura", "ärende" and the like are not phones.
- Names are capitalised words from the name lists (``resources/names_first.txt``,
  ``names_last.txt``, after SCB's name statistics), a capitalised word that follows a first name or
  precedes a surname (``Anna Svanström``), one to three capitalised words after a title or role
  (``chefen``, ``rektor``, ``handläggaren``, ``kommundirektören`` ...) and the colleague names given
  to :class:`Redactor` (any case, whole word; parts of a full name count alone too). Lower-case
  and ALL-CAPS list names count only as said below.
- A list name that is also a common word (``Berg`` mountain, ``Björk`` birch, ``Hans`` his,
  ``Per`` per, ``Inga`` none, ``Rosa`` pink ...) counts alone only inside a sentence, where Swedish
  does not capitalise nouns; at the start of a sentence it needs a neighbouring name or a title.
  A name that is also a place or month (``Lund``, ``Nora``, ``Mark``, ``Maj``, ``Juni`` ...) always
  needs a neighbouring name or a title. Places, months, weekdays, organisations and words such as
  "Mkr", "HR", "IT" are never names. ``Hassan``, ``Ali`` and other names that are not Swedish
  words count everywhere.
- Names that form the name of a place or institution are kept: a run of capitalised words that
  ends in a hyphenated compound (``Anna-Karin Lind-skolan``) or two or more capitalised words
  followed by a word such as ``skola``, ``gata``, ``sjukhus`` (``Astrid Lindgrens skola``).
  Named streets with a number are addresses (``Olof Palmes gata 4`` → ``[ADRESS]``), and so are
  post-office boxes with their postcode (``Box 123, 641 30 Katrineholm``).
- Also names: a name that is also a word at the start of a sentence when a unit or a verb of a
  person follows (``Rosa på ekonomi``, ``Rosa svarar``); ALL-CAPS runs that hold a listed name
  (``BJÖRN ÖDMARK``); a lower-case listed first name after "med", "till", "heter" … or before a verb
  or a unit (``ring kalle``, ``anna på hr``; one that is also a word, like ``lisa``, needs both); a
  surname-shaped word before a verb of a person (``Ödmark lyssnar aldrig``).
- The word lists (non-names, roles, street-like nouns, names that are words) are in
  ``resources/redact_words.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from stamning.errors import ConfigError
from stamning.privacy.names import NameFinder
from stamning.privacy.patterns import (  # noqa: F401  (KINDS, PLACEHOLDERS, Span, is_personnummer, luhn_ok: public API)
    ADDRESS,
    DIGIT,
    EMAIL,
    KINDS,
    NOT_PNR_LABEL,
    NUMBER_CONTEXT,
    PHONE,
    PLACEHOLDER,
    PLACEHOLDERS,
    PNR,
    PNR_CONTEXT,
    PNR_LABEL,
    PO_BOX,
    SP,
    URL_BARE,
    URL_HINT,
    URL_SCHEME,
    Span,
    date_ok,
    is_personnummer,
    luhn_ok,
    mask,
    national_phone_ok,
    overlaps,
    trim_url,
    word_lists,
)


class Redactor:
    """Finds and replaces personal data; build once and call on many texts.

    ``names``: colleague names that are always redacted (any case, whole word, with genitive -s);
    the parts of a full name count alone too (capitalised). ``kinds``: the kinds to replace
    (default all of :data:`KINDS`); the others are still detected so that they keep their text.
    """

    def __init__(self, names: Iterable[str] = (), *, kinds: Collection[str] | None = None) -> None:
        if isinstance(names, str):
            names = (names,)
        if kinds is not None:
            if isinstance(kinds, str):
                kinds = (kinds,)
            unknown = sorted(set(kinds) - set(KINDS))
            if unknown:
                raise ConfigError(
                    f"okänd sorts personuppgift: {', '.join(unknown)}; använd någon av {', '.join(KINDS)}"
                )
        self.kinds = frozenset(KINDS if kinds is None else kinds)
        self.words = word_lists()
        full: set[str] = set()
        parts: set[str] = set()
        for raw in names:
            if not isinstance(raw, str):
                raise ConfigError(
                    f"namnen måste vara text, men ett är av typen {type(raw).__name__}; ge ett namn per rad"
                )
            name = " ".join(raw.split())
            if len(name) < 2:
                continue
            full.add(name)
            for part in name.split(" ") if " " in name else ():
                if len(part) >= 2 and part[:1].isupper():
                    parts.add(part)
        self.names = tuple(sorted(full))
        self.extra = frozenset(parts) | frozenset(n for n in full if " " not in n and n[:1].isupper())
        self._names = NameFinder(self.extra, self._colleague_patterns(full, self.words.common_lower)).find

    @staticmethod
    def _colleague_patterns(full: set[str], common_lower: frozenset[str]) -> list[re.Pattern[str]]:
        loose = [n for n in full if n.lower() not in common_lower]
        strict = [n[:1].upper() + n[1:] for n in full if n.lower() in common_lower]
        patterns = []
        for group, flags in ((loose, re.IGNORECASE), (strict, 0)):
            if group:
                alternation = "|".join(
                    rf"{SP}+".join(map(re.escape, n.split(" "))) for n in sorted(group, key=len, reverse=True)
                )
                patterns.append(re.compile(rf"(?<![\w\-\]])(?:{alternation})(?:s|'s|:s)?(?![\w\[])", flags))
        return patterns

    # -- detectors: each takes the masked text and the spans found so far -----------------------

    def _emails(self, text: str) -> Iterable[Span]:
        if "@" not in text and "(" not in text and "[" not in text:
            return
        for m in EMAIL.finditer(text):
            yield Span(m.start(), m.end(), "EPOST")

    def _urls(self, text: str) -> Iterable[Span]:
        if "." not in text or not URL_HINT.search(text):
            return
        for pattern in (URL_SCHEME, URL_BARE):
            for m in pattern.finditer(text):
                end = trim_url(text, m.start(), m.end())
                if end - m.start() > 4:
                    yield Span(m.start(), end, "URL")

    def _identity_numbers(self, text: str) -> Iterable[Span]:
        for m in PNR.finditer(text):
            before = text[max(0, m.start() - 40) : m.start()]
            if PNR_LABEL.search(before):  # the context says what it is: a mistyped check digit stays private
                yield Span(m.start(), m.end(), "PERSONNUMMER")
                continue
            if not (date_ok(m["c"], m["d"]) and luhn_ok(m["d"] + m["n"])) or NOT_PNR_LABEL.search(before):
                continue
            bare = not m["c"] and not m["sep"] and m["d"][0] == "0"  # 07XXXXXXXX: a phone unless labelled
            if bare and national_phone_ok(m[0]) and not PNR_CONTEXT.search(before):
                continue
            yield Span(m.start(), m.end(), "PERSONNUMMER")

    def _phones(self, text: str) -> Iterable[Span]:
        for m in PHONE.finditer(text):
            candidate = m[0]
            if m["nat"] or m["slash"]:
                if not national_phone_ok(candidate.replace("/", " ")):
                    continue
                if candidate.isdigit() and NUMBER_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]):
                    continue
            yield Span(m.start(), m.end(), "TELEFON")

    def _addresses(self, text: str) -> Iterable[Span]:
        for m in ADDRESS.finditer(text):
            street = m["street"].rsplit(None, 1)[-1].lower()
            if street in self.words.street_nouns:
                continue
            yield Span(m.start(), m.end(), "ADRESS")
        for m in PO_BOX.finditer(text):
            yield Span(m.start(), m.end(), "ADRESS")

    # -- public ---------------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        """Spans of personal data of the selected kinds, sorted, non-overlapping."""
        if not isinstance(text, str):
            raise TypeError(f"redaction needs a string, got {type(text).__name__}")
        if not text:
            return []
        protected = [Span(m.start(), m.end(), "") for m in PLACEHOLDER.finditer(text)] if "[" in text else []
        masked = mask(text, protected) if protected else text
        found: list[Span] = []
        taken = list(protected)
        has_digit = DIGIT.search(text) is not None
        detectors = [self._emails, self._urls]
        if has_digit:
            detectors += [self._identity_numbers, self._phones, self._addresses]
        detectors.append(self._names)
        for detect in detectors:
            new = [s for s in detect(masked) if not overlaps(taken, s.start, s.end)]
            accepted: list[Span] = []
            for span in sorted(new, key=lambda s: (s.start, -s.end)):
                if not overlaps(accepted, span.start, span.end):
                    accepted.append(span)
            if accepted:
                found.extend(accepted)
                taken.extend(accepted)
                masked = mask(masked, accepted)
        return sorted(s for s in found if s.kind in self.kinds)

    def redact(self, text: str) -> str:
        """``text`` with each span of personal data replaced by its placeholder, e.g. ``[NAMN]``."""
        spans = self.find(text)
        if not spans:
            return text
        parts, last = [], 0
        for span in spans:
            parts.append(text[last : span.start])
            parts.append(PLACEHOLDERS[span.kind])
            last = span.end
        parts.append(text[last:])
        return "".join(parts)

    __call__ = redact


@lru_cache(maxsize=32)
def _redactor(names: tuple[str, ...], kinds: frozenset[str] | None) -> Redactor:
    return Redactor(names, kinds=kinds)


def find_pii(text: str, names: Iterable[str] = ()) -> list[Span]:
    """All spans of personal data in ``text`` (see :class:`Redactor`)."""
    return _redactor(_names_key(names), None).find(text)


def redact(text: str, *, names: Iterable[str] = (), kinds: Collection[str] | None = None) -> str:
    """``text`` with personal data replaced by typed placeholders (see the module docstring)."""
    key = None if kinds is None else frozenset((kinds,) if isinstance(kinds, str) else kinds)
    return _redactor(_names_key(names), key).redact(text)


def _names_key(names: Iterable[str]) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else tuple(names)
