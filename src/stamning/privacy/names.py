"""Names in Swedish free text: the ``[NAMN]`` detector of :class:`~stamning.privacy.redactor.Redactor`.

Capitalised words from the name lists (``resources/names_first.txt``, ``names_last.txt``), words beside
them, words after a title or role, colleague names given by the user, lower-case first names in a
person's context and ALL-CAPS runs that hold a name; places, institutions and words that are also names
follow the policy in :mod:`stamning.privacy.redactor`'s docstring. The word lists are in
``resources/redact_words.toml`` (:func:`~stamning.privacy.patterns.word_lists`)."""

from __future__ import annotations

import re

from stamning.privacy.patterns import (
    CAPS_RUN,
    CHARACTERS,
    COORD_AFTER,
    COORD_BEFORE,
    INITIAL,
    INSTITUTION,
    LOWER_WORD,
    NEXT_WORD,
    PERSON_BEFORE,
    PERSON_VERB_AFTER,
    PLACE_PREFIXES,
    SAINT,
    SURNAME_ALONE,
    SURNAME_SHAPE,
    TOKEN,
    TWO_CAPS,
    UNIT_AFTER,
    VERB_AFTER,
    Span,
    after_role,
    name_lists,
    sentence_start,
    word_lists,
)


class NameFinder:
    """Finds names; ``extra``: capitalised colleague names (and their parts) that count as first names,
    ``colleagues``: patterns of the colleague names, matched in any case (see ``Redactor``)."""

    def __init__(self, extra: frozenset[str] = frozenset(), colleagues: list[re.Pattern[str]] | None = None) -> None:
        self.first, self.last = name_lists()
        self.words = word_lists()
        self._firsts = self.first | extra
        self._known = self._firsts | self.last
        self._cache: dict[str, tuple[bool, bool, bool, str]] = {}
        self._colleagues = colleagues or []

    def find(self, text: str) -> list[Span]:
        """NAMN spans in ``text`` (other kinds already masked), merged where names touch."""
        text = self._title_caps(text)  # same length: spans found in it fit the text
        spans: list[Span] = self._lower_case_names(text)
        loners: list[Span] = []  # unknown single capitalised words inside a sentence
        for pattern in self._colleagues:
            spans.extend(Span(m.start(), m.end(), "NAMN") for m in pattern.finditer(text))
        forced = [(s.start, s.end) for s in spans]
        run: list[tuple[int, int, bool]] = []  # (start, end, is compound) of capitalised words one space apart
        for m in TOKEN.finditer(text):
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
            initial = INITIAL.match(text, span.end)
            if initial and text[span.start : span.end].rsplit(" ", 1)[-1] in self._firsts:
                merged[k] = Span(span.start, initial.end(), "NAMN")
        return merged

    def _title_caps(self, text: str) -> str:
        """``text`` with runs of ALL-CAPS words that hold a name capitalised ("BJÖRN ÖDMARK" → "Björn Ödmark")."""
        if not TWO_CAPS.search(text):
            return text
        parts, last = [], 0
        for m in CAPS_RUN.finditer(text):
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
        for m in LOWER_WORD.finditer(text):
            name = m[0].capitalize()  # no genitive here: "klass" is not Klas's
            if (
                name not in self._firsts
                or name in words.not_names
                or m[0] in words.roles
                or name in words.common_word_names
                or name in words.place_names
            ):
                continue
            before = PERSON_BEFORE.search(text, max(0, m.start() - 12), m.start())
            after = VERB_AFTER.match(text, m.end()) or UNIT_AFTER.match(text, m.end())
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
        if SAINT.search(text, max(0, run[0][0] - 8), run[0][0]):  # "S:t Eriks ögonsjukhus"
            return []
        if len(run) >= 2 and text[run[0][0] : run[-1][1]] in CHARACTERS:  # "Kalle Anka"
            return []
        if len(run) >= 2:
            nxt = NEXT_WORD.match(text, run[-1][1])
            if nxt and INSTITUTION.fullmatch(nxt[1]):  # "Astrid Lindgrens skola"
                return []
        n = len(run)
        words = [text[s:e] for s, e, _ in run]
        info = [self._classify(w) for w in words]
        stop = [i[0] or (k > 0 and words[k - 1] in PLACE_PREFIXES) for k, i in enumerate(info)]
        known = [i[1] or i[2] for i in info]
        name = [any(fs <= s and e <= fe for fs, fe in forced) for s, e, _ in run]
        for t in range(n):  # after a title or role: "rektor Berg", "kommundirektören Per Ek"
            if after_role(text, run[t][0], self.words.roles):
                for i in range(t, min(t + 3, n)):
                    if stop[i]:
                        break
                    name[i] = True
        start_of_sentence = sentence_start(text, run[0][0])
        for i, (_, first, surname, tier) in enumerate(info):
            if name[i] or stop[i] or not (first or surname):
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
                        and bool(PERSON_VERB_AFTER.match(text, run[i][1]) or UNIT_AFTER.match(text, run[i][1]))
                    )
                )
            else:
                name[i] = beside
        if n >= 2 and not name[0] and known[0] and not stop[1] and not known[1] and SURNAME_SHAPE.fullmatch(words[1]):
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
        if not name[last] and words[last] in self.words.name_before_verb and VERB_AFTER.match(text, run[last][1]):
            name[last] = True  # "Hans är ...", "Per var ...": not "his" or "per" before a verb
        if (
            not (name[last] or stop[last] or known[last])
            and SURNAME_SHAPE.fullmatch(words[last])
            and PERSON_VERB_AFTER.match(text, run[last][1])
        ):
            name[last] = True  # a bare surname before a verb of a person: "Ödmark lyssnar aldrig"
        for i in range(n):
            if name[i] or stop[i] or known[i] or (i == 0 and start_of_sentence):
                continue
            if SURNAME_ALONE.fullmatch(words[i]):
                name[i] = True  # "pratade med Svanbergsson": a distinctive surname inside a sentence
            elif i in (0, last):
                loners.append(Span(run[i][0], run[i][1], "NAMN"))  # may be listed with a name: "Ali och Mirja"
        return [Span(s, e, "NAMN") for (s, e, _), is_name in zip(run, name) if is_name]


def _coordinated(text: str, spans: list[Span], loners: list[Span]) -> list[Span]:
    """Unknown capitalised words listed with a name: "Tack, Ali, Sanna och Mirja"."""
    ends = {s.end for s in spans}
    starts = {s.start for s in spans}
    found: list[Span] = []
    changed = True
    while changed and loners:
        changed = False
        for span in list(loners):
            before = COORD_BEFORE.search(text, max(0, span.start - 8), span.start)
            after = COORD_AFTER.match(text, span.end)
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
