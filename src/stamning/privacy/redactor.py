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
from stamning.privacy.patterns import (  # noqa: F401  (KINDS, PLACEHOLDERS, Span, is_personnummer, luhn_ok: public API)
    _ADDRESS,
    _CAPS_RUN,
    _CHARACTERS,
    _COORD_AFTER,
    _COORD_BEFORE,
    _DIGIT,
    _EMAIL,
    _INITIAL,
    _INSTITUTION,
    _LOWER_WORD,
    _NEXT_WORD,
    _NOT_PNR_LABEL,
    _NUMBER_CONTEXT,
    _PERSON_BEFORE,
    _PERSON_VERB_AFTER,
    _PHONE,
    _PLACE_PREFIXES,
    _PLACEHOLDER,
    _PNR,
    _PNR_CONTEXT,
    _PNR_LABEL,
    _PO_BOX,
    _SAINT,
    _SP,
    _SURNAME_ALONE,
    _SURNAME_SHAPE,
    _TOKEN,
    _TWO_CAPS,
    _UNIT_AFTER,
    _URL_BARE,
    _URL_HINT,
    _URL_SCHEME,
    _VERB_AFTER,
    KINDS,
    PLACEHOLDERS,
    Span,
    _after_role,
    _date_ok,
    _mask,
    _name_lists,
    _national_phone_ok,
    _overlaps,
    _sentence_start,
    _trim_url,
    is_personnummer,
    luhn_ok,
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
        self.first, self.last = _name_lists()
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
        self._firsts = self.first | self.extra
        self._known = self._firsts | self.last
        self._cache: dict[str, tuple[bool, bool, bool, str]] = {}
        self._colleagues = self._colleague_patterns(full, self.words.common_lower)

    @staticmethod
    def _colleague_patterns(full: set[str], common_lower: frozenset[str]) -> list[re.Pattern[str]]:
        loose = [n for n in full if n.lower() not in common_lower]
        strict = [n[:1].upper() + n[1:] for n in full if n.lower() in common_lower]
        patterns = []
        for group, flags in ((loose, re.IGNORECASE), (strict, 0)):
            if group:
                alternation = "|".join(
                    rf"{_SP}+".join(map(re.escape, n.split(" "))) for n in sorted(group, key=len, reverse=True)
                )
                patterns.append(re.compile(rf"(?<![\w\-\]])(?:{alternation})(?:s|'s|:s)?(?![\w\[])", flags))
        return patterns

    # -- detectors: each takes the masked text and the spans found so far -----------------------

    def _emails(self, text: str) -> Iterable[Span]:
        if "@" not in text and "(" not in text and "[" not in text:
            return
        for m in _EMAIL.finditer(text):
            yield Span(m.start(), m.end(), "EPOST")

    def _urls(self, text: str) -> Iterable[Span]:
        if "." not in text or not _URL_HINT.search(text):
            return
        for pattern in (_URL_SCHEME, _URL_BARE):
            for m in pattern.finditer(text):
                end = _trim_url(text, m.start(), m.end())
                if end - m.start() > 4:
                    yield Span(m.start(), end, "URL")

    def _identity_numbers(self, text: str) -> Iterable[Span]:
        for m in _PNR.finditer(text):
            before = text[max(0, m.start() - 40) : m.start()]
            if _PNR_LABEL.search(before):  # the context says what it is: a mistyped check digit stays private
                yield Span(m.start(), m.end(), "PERSONNUMMER")
                continue
            if not (_date_ok(m["c"], m["d"]) and luhn_ok(m["d"] + m["n"])) or _NOT_PNR_LABEL.search(before):
                continue
            if not m["c"] and not m["sep"] and m["d"][0] == "0":  # 07XXXXXXXX: a phone unless labelled
                if _national_phone_ok(m[0]) and not _PNR_CONTEXT.search(before):
                    continue
            yield Span(m.start(), m.end(), "PERSONNUMMER")

    def _phones(self, text: str) -> Iterable[Span]:
        for m in _PHONE.finditer(text):
            candidate = m[0]
            if m["nat"] or m["slash"]:
                if not _national_phone_ok(candidate.replace("/", " ")):
                    continue
                if candidate.isdigit() and _NUMBER_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]):
                    continue
            yield Span(m.start(), m.end(), "TELEFON")

    def _addresses(self, text: str) -> Iterable[Span]:
        for m in _ADDRESS.finditer(text):
            street = m["street"].rsplit(None, 1)[-1].lower()
            if street in self.words.street_nouns:
                continue
            yield Span(m.start(), m.end(), "ADRESS")
        for m in _PO_BOX.finditer(text):
            yield Span(m.start(), m.end(), "ADRESS")

    def _names(self, text: str) -> list[Span]:
        text = self._title_caps(text)  # same length: spans found in it fit the text
        spans: list[Span] = self._lower_case_names(text)
        loners: list[Span] = []  # unknown single capitalised words inside a sentence
        for pattern in self._colleagues:
            spans.extend(Span(m.start(), m.end(), "NAMN") for m in pattern.finditer(text))
        forced = [(s.start, s.end) for s in spans]
        run: list[tuple[int, int, bool]] = []  # (start, end, is compound) of capitalised words one space apart
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            after = text[end : end + 1]
            if run and (start - run[-1][1] != 1 or text[run[-1][1]] not in " \u00a0" or run[-1][2]):
                spans.extend(self._run_names(text, run, forced, loners))
                run = []
            if after and (after.isalnum() or after in "_["):  # "McDonald", "Michał": not a plain capitalised word
                if run:
                    spans.extend(self._run_names(text, run, forced, loners))
                    run = []
                continue
            run.append((start, end, after == "-" and text[end + 1 : end + 2].islower()))
        if run:
            spans.extend(self._run_names(text, run, forced, loners))
        if loners:
            spans.extend(_coordinated(text, spans, loners))
        merged = _merge_names(spans, text)
        for k, span in enumerate(merged):  # "Anna B." : a first name and an initial
            initial = _INITIAL.match(text, span.end)
            if initial and text[span.start : span.end].rsplit(" ", 1)[-1] in self._firsts:
                merged[k] = Span(span.start, initial.end(), "NAMN")
        return merged

    def _title_caps(self, text: str) -> str:
        """``text`` with runs of ALL-CAPS words that hold a name capitalised ("BJÖRN ÖDMARK" → "Björn Ödmark")."""
        if not _TWO_CAPS.search(text):
            return text
        parts, last = [], 0
        for m in _CAPS_RUN.finditer(text):
            titled = m[0].title()
            if len(titled) != len(m[0]) or not any(
                self._classify(w)[3] == "strong" for w in re.split(r"[ \u00a0]", titled)
            ):
                continue
            parts += [text[last : m.start()], titled]
            last = m.end()
        return "".join(parts) + text[last:] if parts else text

    def _lower_case_names(self, text: str) -> list[Span]:
        """Lower-case first names that are not also words, after "med", "till" … or before a verb or a unit."""
        found, words = [], self.words
        for m in _LOWER_WORD.finditer(text):
            name = m[0].capitalize()  # no genitive here: "klass" is not Klas's
            if (
                name not in self._firsts
                or name in words.not_names
                or m[0] in words.roles
                or name in words.common_word_names
                or name in words.place_names
            ):
                continue
            before = _PERSON_BEFORE.search(text, max(0, m.start() - 12), m.start())
            after = _VERB_AFTER.match(text, m.end()) or _UNIT_AFTER.match(text, m.end())
            if (before and after) or ((before or after) and m[0] not in words.lower_case_words):
                found.append(Span(m.start(), m.end(), "NAMN"))  # a word like "lisa" needs both sides
        return found

    def _classify(self, word: str) -> tuple[bool, bool, bool, str]:
        """(never a name, first name, surname, tier) of a capitalised word; tier: 'strong', 'common', 'place'."""
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = self._classify_uncached(word)
            if len(self._cache) > 200_000:
                self._cache.clear()
        return hit

    def _classify_uncached(self, word: str) -> tuple[bool, bool, bool, str]:
        words = self.words
        if word in words.not_names or word.lower() in words.roles:
            return True, False, False, ""
        forms = (word, word[:-1]) if word.endswith("s") and len(word) > 3 else (word,)  # genitive: Annas
        for form in forms:
            if "-" in form:
                parts = form.split("-")
                if all(p in self._known for p in parts):
                    return False, parts[0] in self._firsts, parts[-1] in self.last, "strong"
                continue
            first, last = form in self._firsts, form in self.last
            if first or last:
                tier = (
                    "common" if form in words.common_word_names else "place" if form in words.place_names else "strong"
                )
                return False, first, last, tier
        if forms[-1] in words.not_names:  # "Malmös", "Stockholms"
            return True, False, False, ""
        return False, False, False, ""

    def _run_names(
        self, text: str, run: list[tuple[int, int, bool]], forced: list[tuple[int, int]], loners: list[Span]
    ) -> list[Span]:
        """NAMN spans among capitalised words one space apart; unknown words that may yet be names go to ``loners``."""
        if run[-1][2]:  # "Anna-Karin Lind-skolan": the name of a place or institution
            return []
        if _SAINT.search(text, max(0, run[0][0] - 8), run[0][0]):  # "S:t Eriks ögonsjukhus"
            return []
        if len(run) >= 2 and text[run[0][0] : run[-1][1]] in _CHARACTERS:  # "Kalle Anka"
            return []
        if len(run) >= 2:
            nxt = _NEXT_WORD.match(text, run[-1][1])
            if nxt and _INSTITUTION.fullmatch(nxt[1]):  # "Astrid Lindgrens skola"
                return []
        n = len(run)
        words = [text[s:e] for s, e, _ in run]
        info = [self._classify(w) for w in words]
        stop = [i[0] or (k > 0 and words[k - 1] in _PLACE_PREFIXES) for k, i in enumerate(info)]
        known = [i[1] or i[2] for i in info]
        name = [any(fs <= s and e <= fe for fs, fe in forced) for s, e, _ in run]
        for t in range(n):  # after a title or role: "rektor Berg", "kommundirektören Per Ek"
            if _after_role(text, run[t][0], self.words.roles):
                for i in range(t, min(t + 3, n)):
                    if stop[i]:
                        break
                    name[i] = True
        start_of_sentence = _sentence_start(text, run[0][0])
        for i, (_, first, last, tier) in enumerate(info):
            if name[i] or stop[i] or not (first or last):
                continue
            beside = (i > 0 and known[i - 1]) or (i + 1 < n and known[i + 1])
            if tier == "strong":
                name[i] = True
            elif tier == "common":  # at the start of a sentence only before a verb or a unit: "Rosa på ekonomi"
                name[i] = (
                    beside
                    or not (i == 0 and start_of_sentence)
                    or (
                        info[i][1]
                        and words[i] not in self.words.word_before_verb
                        and bool(_PERSON_VERB_AFTER.match(text, run[i][1]) or _UNIT_AFTER.match(text, run[i][1]))
                    )
                )
            else:
                name[i] = beside
        if n >= 2 and not name[0] and known[0] and not stop[1] and not known[1] and _SURNAME_SHAPE.fullmatch(words[1]):
            name[0] = name[1] = True  # "Hans Svanström" at the start of a sentence
        for i in range(1, n):  # an unknown capitalised word after a name: "Anna Svanström"
            if name[i - 1] and not name[i] and not stop[i] and not known[i]:
                name[i] = True
        for i in range(n - 2, -1, -1):  # ... or before a surname inside a sentence: "med Zlatan Svensson"
            if (
                name[i + 1]
                and info[i + 1][2]
                and not name[i]
                and not stop[i]
                and not known[i]
                and not (i == 0 and start_of_sentence)
            ):
                name[i] = True
        # Rules for single words must not depend on the run's length: once a neighbouring name is
        # replaced, a word stands alone, and redacting twice must give the same text as once.
        last = n - 1
        if not name[last] and words[last] in self.words.name_before_verb and _VERB_AFTER.match(text, run[last][1]):
            name[last] = True  # "Hans är ...", "Per var ...": not "his" or "per" before a verb
        if (
            not (name[last] or stop[last] or known[last])
            and _SURNAME_SHAPE.fullmatch(words[last])
            and _PERSON_VERB_AFTER.match(text, run[last][1])
        ):
            name[last] = True  # a bare surname before a verb of a person: "Ödmark lyssnar aldrig"
        for i in range(n):
            if name[i] or stop[i] or known[i] or (i == 0 and start_of_sentence):
                continue
            if _SURNAME_ALONE.fullmatch(words[i]):
                name[i] = True  # "pratade med Svanbergsson": a distinctive surname inside a sentence
            elif i in (0, last):
                loners.append(Span(run[i][0], run[i][1], "NAMN"))  # may be listed with a name: "Ali och Mirja"
        return [Span(s, e, "NAMN") for (s, e, _), is_name in zip(run, name) if is_name]

    # -- public ---------------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        """Spans of personal data of the selected kinds, sorted, non-overlapping."""
        if not isinstance(text, str):
            raise TypeError(f"redaction needs a string, got {type(text).__name__}")
        if not text:
            return []
        protected = [Span(m.start(), m.end(), "") for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
        masked = _mask(text, protected) if protected else text
        found: list[Span] = []
        taken = list(protected)
        has_digit = _DIGIT.search(text) is not None
        detectors = [self._emails, self._urls]
        if has_digit:
            detectors += [self._identity_numbers, self._phones, self._addresses]
        detectors.append(self._names)
        for detect in detectors:
            new = [s for s in detect(masked) if not _overlaps(taken, s.start, s.end)]
            accepted: list[Span] = []
            for span in sorted(new, key=lambda s: (s.start, -s.end)):
                if not _overlaps(accepted, span.start, span.end):
                    accepted.append(span)
            if accepted:
                found.extend(accepted)
                taken.extend(accepted)
                masked = _mask(masked, accepted)
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


def _coordinated(text: str, spans: list[Span], loners: list[Span]) -> list[Span]:
    """Unknown capitalised words listed with a name: "Tack, Ali, Sanna och Mirja"."""
    ends = {s.end for s in spans}
    starts = {s.start for s in spans}
    found: list[Span] = []
    changed = True
    while changed and loners:
        changed = False
        for span in list(loners):
            before = _COORD_BEFORE.search(text, max(0, span.start - 8), span.start)
            after = _COORD_AFTER.match(text, span.end)
            if (before and before.start() in ends) or (after and after.end() in starts):
                found.append(span)
                loners.remove(span)
                ends.add(span.end)
                starts.add(span.start)
                changed = True
    return found


def _merge_names(spans: list[Span], text: str) -> list[Span]:
    """One NAMN span for overlapping names and for names separated by a single space."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged:
            prev = merged[-1]
            gap = text[prev.end : span.start]
            if span.start <= prev.end or gap in (" ", "\u00a0"):
                merged[-1] = Span(prev.start, max(prev.end, span.end), "NAMN")
                continue
        merged.append(span)
    return merged


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
