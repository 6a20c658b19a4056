"""Fixed value sets (Enums) and the validated options of one classify run.

The CLI builds one :class:`ClassifyOptions`; :func:`stamning.engines.local.classify_file`, the manifest of a
resumable run and the Ray workers all read the same object (the workers get :meth:`ClassifyOptions.to_dict`).
Messages are Swedish: they reach the CLI user as they are."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import Enum
from typing import Any

from stamning.errors import ConfigError


class Choice(str, Enum):
    """A fixed choice whose value is what the user types."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: Any, option: str):
        """The member for ``value`` (a member or its text); a Swedish ConfigError listing the allowed values."""
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ConfigError(f"{option} {value}: okänt värde; tillåtna värden: {allowed(cls)}") from None


def allowed(choice: type[Choice]) -> str:
    return ", ".join(m.value for m in choice)


class Precision(Choice):
    AUTO = "auto"
    FP32 = "fp32"
    BF16 = "bf16"
    FP16 = "fp16"


class Device(Choice):
    CPU = "cpu"
    CUDA = "cuda"


class Engine(Choice):
    LOCAL = "local"
    RAY = "ray"


class ReportFormat(Choice):
    TERMINAL = "terminal"
    MD = "md"
    HTML = "html"
    JSON = "json"
    XLSX = "xlsx"


class By(Choice):
    ROUND = "round"
    GROUP = "group"


def split_list(values: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """'a,b' or ['a', 'b,c'] -> ('a', 'b', 'c'): commas and repeats mean the same."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(part.strip() for value in values for part in str(value).split(",") if part.strip())


def parse_by(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``--by round,group`` -> ('round', 'group'); '' means all answers together."""
    parts = tuple(By.parse(p, "--by").value for p in split_list(value))
    if len(set(parts)) != len(parts):
        raise ConfigError(
            f"--by {','.join(parts)}: samma del två gånger; tillåtna värden: {allowed(By)} eller round,group"
        )
    return parts


# comments per model batch by default: with the token cap per batch (model.inference.MAX_BATCH_TOKENS) long comments
# go in smaller batches; a comment's result does not depend on its batch, so this decides speed and memory only
# (short comments: 64 ran 1.13-1.18x faster than 32 and 128 only 2-3 % faster than 64, for 40 MB more at 20k rows
# and about 220 MB more than 32 at 100k; benchmarks/README.md)
BATCH_SIZE = 64


@dataclass(frozen=True)
class ClassifyOptions:
    """Everything that decides how a file is read and classified (the model itself is passed apart)."""

    text_column: str | None = None
    id_column: str | None = None
    round_column: str | None = None
    group_column: str | None = None
    sheet: str | None = None
    batch_size: int = BATCH_SIZE
    device: Device = Device.CPU
    precision: Precision = Precision.AUTO
    detect_mixed: bool = True
    chunk_rows: int = 2048
    resume: bool = False
    clean: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "device", Device.parse(self.device, "--device"))
        object.__setattr__(self, "precision", Precision.parse(self.precision, "--precision"))
        if not 1 <= int(self.batch_size) <= 4096:
            raise ConfigError(f"--batch-size {self.batch_size}: måste vara mellan 1 och 4096")
        if int(self.chunk_rows) < 1:
            raise ConfigError(f"--chunk-rows {self.chunk_rows}: måste vara minst 1")
        if self.precision is Precision.FP16 and self.device is not Device.CUDA:
            raise ConfigError(
                "--precision fp16 fungerar bara med --device cuda; välj auto, fp32 eller bf16 på processorn"
            )
        if self.resume and self.clean:
            raise ConfigError(
                "--resume och --clean går inte ihop: --clean tar bort det som --resume skulle använda; välj en"
            )

    def to_dict(self) -> dict:
        """Plain values (for a manifest or a Ray worker)."""
        return {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict) -> ClassifyOptions:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def output_affecting(self) -> dict:
        """The options that change the output's rows (what a resumed run must share with the first)."""
        plain = self.to_dict()
        return {
            k: plain[k]
            for k in (
                "text_column",
                "id_column",
                "round_column",
                "group_column",
                "sheet",
                "device",
                "precision",
                "detect_mixed",
                "chunk_rows",
            )
        }
