"""Label-preserving noise for training comments: how real comments differ from written ones.

Real survey answers and social-media comments come in lower case, without å/ä/ö, with typos and emoji;
replies on social media also carry @handles, hashtags and links (``SOCIAL``, opt-in).
The functions here make such a variant of a labelled comment without changing what it says, so the
label stays valid (data/ANNOTATION.md: typos, missing å/ä/ö and emoji do not change the rules). Only
training comments are augmented; validation and test comments stay as written. Seeded: the same
texts, levels and seed give the same variants.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from stamning.errors import ConfigError
from stamning.records import SENTIMENT_LEVELS

_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O", "é": "e", "É": "E"})
_WORD = re.compile(r"[^\W\d_]{4,}")
# an emoji that agrees with the level it is added to (mild ones for the middle levels: no shift in intensity)
EMOJI = {
    "mycket_negativ": ("😡", "🤬", "😤"),
    "negativ": ("🙁", "😕", "😒"),
    "neutral": ("🤔",),
    "positiv": ("🙂", "👍", "😊"),
    "mycket_positiv": ("😍", "🙌", "🥰", "❤️"),
}
# emoji that name a thing and carry no opinion: a comment of any level may carry one (data/ANNOTATION.md: emoji
# count as words, and these words say nothing)
TOPIC_EMOJI = ("⚽", "📅", "👉", "📸", "🎄", "🚌", "☕", "📚")


class Noise(Enum):
    LOWER = "lower"  # all lower case
    ASCII = "ascii"  # å/ä → a, ö → o
    TYPOS = "typos"  # a letter swapped, dropped or doubled in some longer words
    EMOJI = "emoji"  # an emoji agreeing with the level at the end
    NO_PUNCT = "no_punct"  # no final full stop, no commas
    MENTION = "mention"  # a reply's @handle(s) in front
    TAG = "tag"  # a topical, sentiment-free hashtag at the end
    LINK = "link"  # a link at the end
    LOST_EMOJI = "lost_emoji"  # a "?" at the end: how a cp1252 export writes an emoji it cannot hold
    TOPIC_EMOJI = "topic_emoji"  # an emoji without opinion at the end (and neutral's EMOJI may be one)


# what written comments look like when typed in a hurry (the default), and what social-media reactions add
WRITTEN = (Noise.LOWER, Noise.ASCII, Noise.TYPOS, Noise.EMOJI, Noise.NO_PUNCT)
SOCIAL = WRITTEN + (Noise.MENTION, Noise.TAG, Noise.LINK)
EXPORTED = WRITTEN + (Noise.LOST_EMOJI,)  # the written noises plus what a cp1252 export does to emoji
TOPICAL = WRITTEN + (Noise.TOPIC_EMOJI,)  # the written noises, and emoji are no longer a sign of opinion
_HANDLES = ("@namn", "@namn @namn", "@kommunen", "@anna_l", "@johan82", "@svtnyheter", "@lisa.k")
_TAGS = ("#jobb", "#skolan", "#vården", "#kommunen", "#svpol", "#arbetsmiljö", "#ledarskap", "#enkät")
_LINKS = ("https://t.co/", "https://youtu.be/", "http://www.kommun.se/nyheter/")
_LINK_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class AugmentConfig:
    """``copies`` noisy variants per comment; each of ``noises`` applies with probability ``rate``."""

    copies: int = 1
    rate: float = 0.5
    typo_rate: float = 0.12  # share of longer words that get a typo when TYPOS applies
    seed: int = 0
    noises: tuple[Noise, ...] = WRITTEN

    def __post_init__(self) -> None:
        if not 0 <= self.copies <= 10:
            raise ConfigError(f"augment: copies är {self.copies}; måste vara mellan 0 och 10")
        if not 0 < self.rate <= 1 or not 0 <= self.typo_rate <= 0.5:
            raise ConfigError(
                f"augment: andelarna ligger utanför tillåtna gränser: rate {self.rate} (ska vara över 0 och högst 1), typo_rate {self.typo_rate} (0 till 0,5); ändra dem"
            )
        if not self.noises or not all(isinstance(n, Noise) for n in self.noises):
            raise ConfigError(
                f"augment: noises är {self.noises!r}; ange minst en av {', '.join(n.value for n in Noise)}"
            )


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def add_typos(text: str, rng: random.Random, rate: float) -> str:
    return _WORD.sub(lambda m: _typo(m.group(), rng) if rng.random() < rate else m.group(), text)


def apply(
    text: str, level: str, noises: Sequence[Noise], rng: random.Random, typo_rate: float = 0.12, topical: bool = False
) -> str:
    """``text`` with the given noises applied, in a fixed order; ``topical``: neutral's emoji may be a topic emoji."""
    if level not in SENTIMENT_LEVELS:
        raise ConfigError(f"okänd sentimentnivå {level!r}; använd någon av {', '.join(SENTIMENT_LEVELS)}")
    out = text
    if Noise.NO_PUNCT in noises:
        out = out.replace(",", "").rstrip(".").rstrip()
    if Noise.TYPOS in noises:
        out = add_typos(out, rng, typo_rate)
    if Noise.LOWER in noises:
        out = out.lower()
    if Noise.ASCII in noises:
        out = out.translate(_ASCII)
    if Noise.EMOJI in noises:
        out = f"{out} {rng.choice(EMOJI[level] + (TOPIC_EMOJI if topical and level == 'neutral' else ()))}"
    if Noise.TOPIC_EMOJI in noises:
        out = f"{out} {rng.choice(TOPIC_EMOJI)}"
    if Noise.LOST_EMOJI in noises:
        out = f"{out}{rng.choice((' ?', '?', ' ??'))}"
    if Noise.TAG in noises:
        out = f"{out} {rng.choice(_TAGS)}"
    if Noise.LINK in noises:
        out = f"{out} {rng.choice(_LINKS)}{''.join(rng.choice(_LINK_CHARS) for _ in range(10))}"
    if Noise.MENTION in noises:
        out = f"{rng.choice(_HANDLES)} {out}"
    return out


def augment(
    texts: Sequence[str], levels: Sequence[int] | np.ndarray, config: AugmentConfig = AugmentConfig()
) -> list[tuple[int, str]]:
    """Noisy variants as (index of the source comment, text); variants equal to their source are left out."""
    rng = random.Random(config.seed)
    topical = Noise.TOPIC_EMOJI in config.noises
    out: list[tuple[int, str]] = []
    for i, (text, level) in enumerate(zip(texts, levels)):
        for _ in range(config.copies):
            noises = [n for n in config.noises if rng.random() < config.rate] or [rng.choice(config.noises)]
            variant = apply(text, SENTIMENT_LEVELS[int(level)], noises, rng, config.typo_rate, topical)
            if variant != text:
                out.append((i, variant))
    return out
