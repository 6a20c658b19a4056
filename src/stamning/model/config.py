"""The model's configuration (``config.json`` of a stamning model directory)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from stamning.errors import ModelError
from stamning.records import SENTIMENT_LEVELS

FORMAT_VERSION = 1
MODEL_TYPE = "stamning-multitask"
ENCODER_MODES = ("frozen", "lora", "full")


def _inside(name: str) -> bool:
    """A relative file name that stays inside the model directory (no ``..``, not absolute)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and not name.startswith(("/", "\\")) and ".." not in parts and ":" not in name


@dataclass
class ModelConfig:
    """What a saved model needs to be rebuilt exactly.

    ``base`` names the encoder the model was trained on. When ``encoder_saved`` is true the whole
    encoder is stored in the directory (``encoder/``); otherwise it is resolved from ``base`` at load
    time and checked against ``base_sha256`` (the default model ships only heads and a LoRA adapter).
    With ``lexical_theme_weight`` > 0 a theme's probability is that share of the lexical n-gram model's
    (:mod:`stamning.model.lexical_themes`, ``lexical.*`` files) plus the rest of the theme head's. The sentiment head's
    logits are divided by ``sentiment_temperature`` before the softmax (:mod:`stamning.training.calibration`); with
    ``lexical_sentiment_weight`` > 0 the level probabilities are that share of a lexical n-gram model's
    (:mod:`stamning.model.lexical_sentiment`, ``lexical_sentiment.*`` files) plus the rest of the head's."""

    theme_keys: list[str]
    theme_thresholds: list[float]
    base: str
    encoder_mode: str = "frozen"
    encoder_saved: bool = False
    base_sha256: str | None = None
    sentiment_labels: list[str] = field(default_factory=lambda: list(SENTIMENT_LEVELS))
    pooling: str = "mean"
    input_prefix: str = ""
    max_length: int = 256
    lora: dict | None = None
    lexical_theme_weight: float = 0.0
    sentiment_temperature: float = 1.0
    lexical_sentiment_weight: float = 0.0
    taxonomy: dict | None = None
    weights_sha256: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    model_type: str = MODEL_TYPE

    def __post_init__(self) -> None:
        if self.model_type != MODEL_TYPE:
            raise ModelError(
                f"config.json: model_type är {self.model_type!r}, väntade {MODEL_TYPE!r}; detta är ingen stamning-modell – ge --model en komplett modellmapp"
            )
        if self.format_version != FORMAT_VERSION:
            raise ModelError(
                f"modellen har formatversion {self.format_version} men den här stamning läser version {FORMAT_VERSION}; "
                "bygg om modellen med den här versionen (stamning train) eller installera den stamning-version som skapade den"
            )
        if tuple(self.sentiment_labels) != SENTIMENT_LEVELS:
            raise ModelError(
                f"sentimentetiketterna {self.sentiment_labels} skiljer sig från {list(SENTIMENT_LEVELS)}; modellen passar inte – bygg om den med stamning train"
            )
        if len(self.theme_thresholds) != len(self.theme_keys):
            raise ModelError(
                f"{len(self.theme_keys)} teman men {len(self.theme_thresholds)} tröskelvärden i config.json; filen är skadad"
            )
        if len(set(self.theme_keys)) != len(self.theme_keys):
            raise ModelError("temanycklar förekommer flera gånger i config.json; filen är skadad")
        if self.encoder_mode not in ENCODER_MODES:
            raise ModelError(
                f"encoder_mode är {self.encoder_mode!r}; väntade något av {ENCODER_MODES}; filen är skadad"
            )
        if self.pooling not in ("mean", "cls"):
            raise ModelError(f"pooling är {self.pooling!r}; väntade 'mean' eller 'cls'; filen är skadad")
        if not 0.0 <= self.lexical_theme_weight <= 1.0:
            raise ModelError(f"lexical_theme_weight {self.lexical_theme_weight} ligger utanför 0..1; filen är skadad")
        if not 0.05 <= self.sentiment_temperature <= 20.0:
            raise ModelError(
                f"sentiment_temperature {self.sentiment_temperature} ligger utanför 0.05..20; filen är skadad"
            )
        if not 0.0 <= self.lexical_sentiment_weight < 1.0:
            raise ModelError(
                f"lexical_sentiment_weight {self.lexical_sentiment_weight} ligger utanför [0, 1); filen är skadad"
            )
        if not 8 <= self.max_length <= 8192:
            raise ModelError(f"max_length {self.max_length} ligger utanför 8..8192; filen är skadad")
        if not isinstance(self.lora, (dict, type(None))) or not isinstance(self.taxonomy, (dict, type(None))):
            raise ModelError("lora och taxonomy måste vara objekt i config.json; filen är skadad")
        if not isinstance(self.weights_sha256, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and _inside(k) for k, v in self.weights_sha256.items()
        ):
            raise ModelError("weights_sha256 måste koppla filnamn i modellmappen till kontrollsummor; filen är skadad")

    def save(self, directory: Path) -> None:
        (directory / "config.json").write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", "utf-8")

    @classmethod
    def load(cls, directory: Path) -> ModelConfig:
        from stamning.io.modelfiles import FIX, read_json

        path = directory / "config.json"
        if not path.is_file():
            raise ModelError(
                f"{directory}: config.json saknas; ingen stamning-modellmapp (skapa en med `stamning train`)"
            )
        data = read_json(path)
        if not isinstance(data, dict):
            raise ModelError(f"{path}: inte ett JSON-objekt; modellmappen är skadad – {FIX}")
        if data.get("model_type") != MODEL_TYPE:
            raise ModelError(
                f"{directory}: config.json hör inte till en stamning-modell (model_type={str(data.get('model_type'))[:40]!r}); "
                "en vanlig kodare ges med --base till `stamning train`, inte med --model"
            )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelError(
                f"{path}: okända nycklar {unknown[:5]}; modellen skrevs av en nyare stamning – uppgradera stamning"
            )
        try:
            return cls(**data)
        except ModelError as err:
            raise ModelError(f"{path}: {err}") from None
        except (TypeError, ValueError):  # a value of the wrong type (a number for a list, …)
            raise ModelError(
                f"{path}: ett värde har fel typ (t.ex. ett tal där en lista väntas); modellmappen är skadad – {FIX}"
            ) from None


def model_identity(config: ModelConfig) -> dict:
    """Two models give the same output when their weights and their configuration are the same (what a
    resumed run's manifest and the results store record)."""
    text = json.dumps(asdict(config), sort_keys=True, ensure_ascii=False)
    return {
        "weights_sha256": dict(config.weights_sha256),
        "config_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
