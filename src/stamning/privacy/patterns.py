"""The patterns, word lists and small helpers behind :mod:`stamning.privacy.redactor` (see its docstring for the
policy): character classes, regular expressions per kind of personal data, the name lists and the
word lists of ``resources/redact_words.toml``."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("PERSONNUMMER", "TELEFON", "EPOST", "URL", "ADRESS", "NAMN")
PLACEHOLDERS = {kind: f"[{kind}]" for kind in KINDS}


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Characters ``text[start:end]`` are personal data of ``kind`` (one of :data:`KINDS`)."""

    start: int
    end: int
    kind: str


# --- character classes -------------------------------------------------------------------------

_UP = "A-ZÅÄÖÆØÉÈÜÁÍÓÚÇŠŽĆČĐŞ"
_LO = "a-zåäöæøéèüáíóúçšžćčđşğıñß"
SP = "[ \u00a0]"  # one space (ordinary or no-break)
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")

# --- e-mail and URLs ---------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?<![\w.+%\-\]])[\w.+%\-]*\w"
    rf"(?:@|{SP}?[(\[](?:at|snabel-a)[)\]]{SP}?)"
    r"(?:[\w\-]+\.)+[A-Za-z]{2,24}(?![\w\-\[]|\.\w)",
    re.IGNORECASE,
)
_URL_CHARS = r"[^\s<>\"'«»\[\]\x00]"  # a URL ends at a bracket: it never runs into a placeholder
URL_SCHEME = re.compile(rf"(?<![\w@\]])(?:https?://|www\.){_URL_CHARS}+", re.IGNORECASE)
_TLDS = "se|nu|com|org|net|eu|io|info|dk|no|fi|uk|gov|edu|app"
URL_BARE = re.compile(rf"(?<![\w@.\-/\]])(?:[\w\-]+\.)+(?:{_TLDS})(?![\w\-\[])(?:/{_URL_CHARS}*)?")
URL_HINT = re.compile(rf"\.(?:{_TLDS})(?![\w\-])|www\.|://", re.IGNORECASE)
_URL_TRAIL = ".,;:!?'\"”’({"


def trim_url(text: str, start: int, end: int) -> int:
    """End of the URL without trailing punctuation and unbalanced closing brackets."""
    while end > start:
        ch = text[end - 1]
        if ch in _URL_TRAIL:
            end -= 1
        elif ch in ")]}":
            opening = {")": "(", "]": "[", "}": "{"}[ch]
            if text.count(opening, start, end) < text.count(ch, start, end):
                end -= 1
            else:
                break
        else:
            break
    return end


# --- identity numbers --------------------------------------------------------------------------

PNR = re.compile(
    r"(?<![\w+\-–/.,\]])(?P<c>18|19|20)?(?P<d>\d{6})"
    rf"(?P<sep>{SP}?[-+–]{SP}?|{SP})?(?P<n>\d{{4}})"
    r"(?![\w\[]|[-–/.,:]\d)"
)
PNR_CONTEXT = re.compile(r"(?i)(?:person|samordnings|födelse)(?:nummer|nr)|\bp-?nr|\bpers\.?\s?nr|\bsamnr")
# "personnummer", "mitt pnr är", "personnummer:" right before a number: it is one even with a wrong check digit
PNR_LABEL = re.compile(
    r"(?i)(?:(?:person|samordnings|födelse)(?:nummer|nr)|\bp-?nr|\bpers\.?\s?nr|\bsamnr)\.?"
    rf"(?:{SP}(?:är|var|blir))?\W{{0,3}}$"
)
# a number right after one of these words is an order, invoice or case number, never a personnummer
NOT_PNR_LABEL = re.compile(
    r"(?i)(?<!\w)(?:order|faktura|ärende|referens|ref|ocr|avi|diarie|dnr|beställnings|artikel|serie|objekt|kvitto"
    r"|transaktions|bokning|boknings|leverans|paket|försändelse|sändnings|kolli|bankgiro|plusgiro|bg|pg|clearing"
    r"|inköps|offert|avtals|ticket)\w*\.?\W{0,3}(?:nr|nummer|n:o|no)?\.?\W{0,3}$"
)
_THIS_YEAR = _dt.date.today().year


def luhn_ok(digits: str) -> bool:
    """Luhn check (the personnummer check digit) over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def date_ok(century: str | None, yymmdd: str) -> bool:
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if dd > 60:  # samordningsnummer: day + 60
        dd -= 60
    if not 1 <= mm <= 12 or dd < 1:
        return False
    years = [int(century) * 100 + yy] if century else [1900 + yy, 2000 + yy]
    if century and not 1880 <= years[0] <= _THIS_YEAR:
        return False
    return any(dd <= calendar.monthrange(year, mm)[1] for year in years)


def is_personnummer(text: str) -> bool:
    """Whether ``text`` is a whole valid personnummer/samordningsnummer (10 or 12 digits, any separator)."""
    m = PNR.fullmatch(text.strip())
    return m is not None and date_ok(m["c"], m["d"]) and luhn_ok(m["d"] + m["n"])


# --- phone numbers -----------------------------------------------------------------------------

_PSEP = rf"(?:{SP}?[-–]{SP}?|{SP})"
PHONE = re.compile(
    r"(?<![\w+\-–/.,\]])(?:"
    rf"(?P<intl>(?:\+|00){SP}?46)(?:{SP}|-)?(?:\(0\){SP}?)?(?P<irest>[1-9](?:{_PSEP}?\d){{6,8}})"
    rf"|(?P<nat>(?:\(0\d{{1,3}}\){SP}?\d|0[1-9])(?:{_PSEP}?\d){{5,8}})"
    rf"|(?P<slash>0[1-9]\d{{0,2}}{SP}?/{SP}?\d{{3}}(?:{_PSEP}?\d){{2,5}})"
    rf"|(?P<other>\+(?!46)[1-9]\d{{0,2}}{_PSEP}?\d(?:{_PSEP}?\d){{5,11}})"
    r")(?![\w\[]|[-–/.,:]\d)"
)
_GROUPS = re.compile(r"\d+")
NUMBER_CONTEXT = re.compile(
    r"(?i)(?:order|faktura|ärende|kund|referens|ref|ocr|avi|diarie|beställnings|artikel|konto|bankgiro|plusgiro"
    r"|bg|pg|clearing|serie|objekt|lägenhets|medlems|organisations|org)\w*\.?\W{0,3}(?:nr|nummer|n:o|no)?\.?\W{0,3}$"
)
_DATE_DMY = re.compile(r"(\d{2})[-–](\d{2})[-–](\d{4})")
_HOURS = re.compile(r"(\d{2})(\d{2})[-–](\d{2})(\d{2})")


def national_phone_ok(candidate: str) -> bool:
    """A number written from 0: 8-10 digits, groups after the first of two or more, not a date or opening hours."""
    groups = _GROUPS.findall(candidate)
    if not 8 <= sum(map(len, groups)) <= 10 or any(len(g) < 2 for g in groups[1:]):
        return False
    compact = candidate.replace(" ", "").replace("\u00a0", "")
    m = _DATE_DMY.fullmatch(compact)
    if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[1]) <= 31:
        return False
    m = _HOURS.fullmatch(compact)
    return not (m and int(m[1]) < 24 and int(m[3]) <= 24 and int(m[2]) < 60 and int(m[4]) < 60)


# --- street addresses --------------------------------------------------------------------------

_STREET_SUFFIX = (
    "gatan|gata|vägen|väg|gränden|gränd|torget|torg|plan|platsen|stigen|backen|allén|allé|leden|"
    "stråket|kajen|esplanaden|promenaden|slingan"
)
_STREET_PREFIX = rf"(?:Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Sankt|Sankta|S:t|S:ta){SP}"
ADDRESS = re.compile(
    r"(?<![\w\-\]])(?P<street>"
    rf"{_STREET_PREFIX}(?:Torget|Gatan|Vägen|Torg|Gränd|Allén|Backen|Plan|Stigen)"  # Lilla Torget
    rf"|(?:{_STREET_PREFIX})?[{_UP}][{_LO}]*(?:{_STREET_SUFFIX})"  # Storgatan, Ågatan, Norra Vallgatan
    rf"|[{_LO}]{{2,}}(?:gatan|vägen|gränden|gränd)"  # storgatan
    rf"|(?:[{_UP}][{_LO}]+{SP})?[{_UP}][{_LO}]+s{SP}(?:gata|väg|gränd|plats|torg|allé|backe)"  # Olof Palmes gata
    rf"){SP}(?:nr\.?{SP}?)?\d{{1,3}}(?:{SP}?[-–]{SP}?\d{{1,3}})?"
    rf"(?:[A-Ha-h](?!\w)|{SP}[A-H](?!\w))?"
    rf"(?:,?{SP}(?:lgh|lägenhet|lägenhetsnr|lägenhetsnummer)\.?{SP}?(?:nr\.?{SP}?)?\d{{3,4}})?"
    rf"(?:,?{SP}\d{{1,2}}{SP}?(?:tr|trappor|trappa|vån|våning)(?!\w))?"
    rf"(?:,?{SP}[1-9]\d{{2}}{SP}?\d{{2}}(?:{SP}[{_UP}][{_LO}]+)?)?"
    rf"(?![\w\[%]|{SP}?(?:km|kr|kronor|mil|m|min|st|år|procent|meter|kvm|m2|%)(?!\w))"
)
# a post-office box with its postcode: "Box 123, 641 30 Katrineholm"
PO_BOX = re.compile(
    rf"(?<![\w\-\]])(?:[Bb]ox|BOX|Postbox|Postlåda|PL){SP}?\d{{1,5}},?{SP}[1-9]\d{{2}}{SP}?\d{{2}}"
    rf"(?:{SP}[{_UP}][{_LO}]+(?:{SP}[{_UP}][{_LO}]+)?)?(?![\w\[])"
)

# --- names -------------------------------------------------------------------------------------

TOKEN = re.compile(rf"(?<![\w\-\]])[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)*")
NEXT_WORD = re.compile(rf"{SP}([{_LO}]+)")
INSTITUTION = re.compile(
    r"\w*(?:skola|skolan|gymnasi\w*|sjukhus\w*|gata|gatan|väg|vägen|plats|platsen|park|parken|hallen|huset"
    r"|centrum|torg|torget|kyrka|kyrkan|stiftelse\w*|institut\w*|priset|salen|bibliotek\w*|museum|museet"
    r"|vårdcentral\w*|mottagning\w*|boende\w*|gården|hemmet|akademi\w*|universitet\w*|högskola\w*|fond\w*)"
)
SURNAME_SHAPE = re.compile(
    r"\w+(?:sson|son|berg|ström|gren|qvist|kvist|quist|lund|holm|dahl|man|lin|ell|én|ér|ander|ius|stedt|blad|mark)"
)
SAINT = re.compile(rf"(?:\bS:t|\bS:ta|\bSt\.|\bSankt|\bSankta|\b[Ll]ex){SP}$")  # S:t Eriks, lex Maria
# Fictional characters that are household words (not personal data).
CHARACTERS = frozenset(
    {
        "Kalle Anka",
        "Musse Pigg",
        "Alfons Åberg",
        "Pippi Långstrump",
        "Nils Holgersson",
        "Pelle Svanslös",
        "Mamma Mu",
        "Greta Gris",
    }
)
# "Norra Strand", "Sankt Görans": a name after one of these is part of a place name
PLACE_PREFIXES = frozenset(
    [
        "Sankt",
        "Sankta",
        "Norra",
        "Södra",
        "Östra",
        "Västra",
        "Stora",
        "Lilla",
        "Gamla",
        "Nya",
        "Övre",
        "Nedre",
        "Inre",
        "Yttre",
    ]
)
COORD_BEFORE = re.compile(rf"(?:,{SP}|{SP}(?:och|eller|&|samt){SP})$")
COORD_AFTER = re.compile(rf"(?:,{SP}|{SP}(?:och|eller|&|samt){SP})")
SURNAME_ALONE = re.compile(r"\w+(?:sson|qvist|kvist|quist|ström|gren)s?")
VERB_AFTER = re.compile(
    rf"{SP}(?:är|var|har|hade|sa|sade|säger|gör|gjorde|kan|kunde|ska|skulle|vill|ville|brukar|jobbar|jobbade"
    r"|tycker|tyckte|ringde|ringer|svarade|svarar|kom|kommer|fick|får|tog|tar|hjälpte|hjälper|lovade|borde|måste"
    r"|slutade|började|gick|går|lyssnar|lyssnade|pratar|pratade|bryr|struntar|struntade|ljuger|ljög|skriker|skrek"
    r"|förstår|förstod|glömmer|glömde|verkar|behandlar|behandlade)(?!\w)"
)
# Verbs that take a person as subject: a surname-shaped word before one is a name ("Ödmark lyssnar aldrig").
PERSON_VERB_AFTER = re.compile(
    rf"{SP}(?:sa|sade|säger|tycker|tyckte|ringde|ringer|svarade|svarar|hjälpte|hjälper|lovade|lyssnar|lyssnade"
    r"|pratar|pratade|bryr|struntar|struntade|ljuger|ljög|skriker|skrek|förstår|förstod|glömmer|glömde|brukar"
    r"|jobbar|jobbade)(?!\w)"
)
# "Rosa på ekonomi", "anna från hr": a name followed by where the person works
UNIT_AFTER = re.compile(
    rf"{SP}(?:på|från|i|vid|hos){SP}(?:ekonomi|hr|it|lön|lönen|personal|växeln|receptionen|kansliet|kontoret"
    r"|\w*(?:avdelningen|enheten|kontoret|kansliet|förvaltningen|mottagningen|byrån|sektionen|staben|teamet|gruppen"
    r"|tjänsten|centralen|boendet|skolan|receptionen))"
    r"(?!\w)",
    re.IGNORECASE,
)
# a lower-case first name counts after one of these ("pratade med anna") or before a verb or a unit
PERSON_BEFORE = re.compile(
    rf"(?<![\w\-])(?:med|till|från|hos|åt|och|tack|hej|kontakta|fråga|frågade|ring|ringde|mejla|maila|träffa"
    rf"|träffade|heter|hette){SP}$",
    re.IGNORECASE,
)
LOWER_WORD = re.compile(rf"(?<![\w\-\]])[{_LO}]{{3,}}(?![\w\-\[])")
CAPS_RUN = re.compile(
    rf"(?<![\w\-\]])[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})*(?:{SP}[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})*)*(?![\w\-\[])"
)
TWO_CAPS = re.compile(rf"[{_UP}][{_UP}]")
INITIAL = re.compile(rf"{SP}[A-HJ-ZÄ](?:\.(?![\w:])|(?=[ ,;!?)]|$))")  # "Anna B.", not "Anna S:t"
_SENTENCE_END = ".!?…:;"
_OPENERS = " \t\u00a0\"'«»„“”‘’(*•–—-"

_WORD_BEFORE = re.compile(rf"(?<![\w\-])([\w\-:]+)(\.?),?{SP}+$")  # "rektor ", "chefen, ", "dr. "
DIGIT = re.compile(r"\d")


def after_role(text: str, pos: int, roles: frozenset[str]) -> bool:
    """Whether the word at ``pos`` follows a title or role word ("rektor Berg", "dr. Ek")."""
    m = _WORD_BEFORE.search(text, max(0, pos - 40), pos)
    if not m:
        return False
    word = m[1].lower()
    return word in roles and (not m[2] or word == "dr")


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    def load(filename: str) -> frozenset[str]:
        text = resources.files("stamning").joinpath("resources", filename).read_text("utf-8")
        return frozenset(s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#"))

    return load("names_first.txt"), load("names_last.txt")


@dataclass(frozen=True)
class WordLists:
    """The word lists of ``resources/redact_words.toml`` (see the comments there)."""

    street_nouns: frozenset[str]
    not_names: frozenset[str]
    common_word_names: frozenset[str]
    place_names: frozenset[str]
    name_before_verb: frozenset[str]
    roles: frozenset[str]
    lower_case_words: frozenset[str]
    word_before_verb: frozenset[str]

    @property
    def common_lower(self) -> frozenset[str]:
        """Lower-case forms of names that are common words: colleague names like these match only capitalised."""
        return frozenset(w.lower() for w in self.common_word_names | self.place_names) | {"dag", "tom"}


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    import tomllib

    text = resources.files("stamning").joinpath("resources", "redact_words.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return WordLists(**{name: frozenset(data[name].split()) for name in WordLists.__dataclass_fields__})


def sentence_start(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` begins the text, a line or a sentence."""
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i >= 1 and text[i] == "." and text[i - 1].isupper() and (i < 2 or not text[i - 2].isalnum()):
        return False  # an initial: "Anna B. Berg"
    return i < 0 or text[i] in _SENTENCE_END or text[i] in "\n\r"


def mask(text: str, spans: Iterable[Span]) -> str:
    """Replace spans by same-length stand-ins that look like a placeholder to every detector.

    Every pattern treats a placeholder's brackets like the word characters it replaced, so what a
    later detector sees next to a found span is the same in the first and in a second pass."""
    parts, last = [], 0
    for span in sorted(spans):
        n = span.end - span.start
        parts.append(text[last : span.start])
        parts.append("[" + "\x00" * (n - 2) + "]" if n >= 2 else "\x00")
        last = span.end
    parts.append(text[last:])
    return "".join(parts)


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)
