"""A light tokenizer over ``tokenizers.Tokenizer`` (``tokenizer.json``) with the calling convention
stamning uses from transformers' fast tokenizers, without importing transformers (~3 s at start-up).

Supported calls, with the results transformers gives for the same ``tokenizer.json``:
``tok(texts, add_special_tokens=False)["input_ids"]`` and
``tok(texts, padding=True, truncation=True, max_length=n, return_tensors="pt")`` and
``tok(texts, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stamning.errors import ModelError


class LightTokenizer:
    """Meets :class:`stamning.encoders.protocols.Tokenizer`."""

    def __init__(self, directory: Path):
        from tokenizers import Tokenizer

        try:
            self._tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        except Exception as err:  # tokenizers raises a bare Exception on a broken file
            raise ModelError(
                f"{directory}: kan inte läsa tokenizer.json ({str(err)[:160]}); modellmappen är skadad eller ofullständig – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            ) from None
        self.directory = directory
        settings = _read_settings(directory)
        pad = settings.get("pad_token")
        pad = pad.get("content") if isinstance(pad, dict) else pad
        self.pad_token_id = self._tok.token_to_id(pad) if pad else None
        if self.pad_token_id is None:
            raise ModelError(
                f"{directory}: tokenizer_config.json anger ingen utfyllnadstoken som tokenizer.json känner till; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            )
        self.model_max_length = int(settings.get("model_max_length", 512))
        self._tok.no_padding()
        self._tok.no_truncation()

    def save_pretrained(self, directory: str | Path) -> None:
        """Copy the tokenizer files this tokenizer was read from."""
        import shutil

        Path(directory).mkdir(parents=True, exist_ok=True)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            source, target = self.directory / name, Path(directory) / name
            if source.is_file() and not (target.exists() and target.samefile(source)):  # saved in place: keep
                shutil.copyfile(source, target)

    def tokenize(self, text: str) -> list[str]:
        """The pieces of one text, without special tokens."""
        self._tok.no_truncation()
        return self._tok.encode(text, add_special_tokens=False).tokens

    def __call__(
        self,
        texts: str | Sequence[str],
        *,
        add_special_tokens: bool = True,
        padding: bool = False,
        truncation: bool = False,
        max_length: int | None = None,
        return_tensors: str | None = None,
        return_offsets_mapping: bool = False,
    ) -> dict[str, Any]:
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        if truncation:
            self._tok.enable_truncation(max_length or self.model_max_length)
        else:
            self._tok.no_truncation()
        if padding:
            self._tok.enable_padding(pad_id=self.pad_token_id)
        else:
            self._tok.no_padding()
        encodings = self._tok.encode_batch(batch, add_special_tokens=add_special_tokens)
        ids = [e.ids for e in encodings]
        if return_tensors != "pt":
            out: dict[str, Any] = {"input_ids": ids[0] if single else ids}
            if padding:
                out["attention_mask"] = [e.attention_mask for e in encodings]
            if return_offsets_mapping:
                offsets = [e.offsets for e in encodings]
                out["offset_mapping"] = offsets[0] if single else offsets
            return out
        import torch

        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "attention_mask": torch.tensor([e.attention_mask for e in encodings], dtype=torch.long),
        }


def _read_settings(directory: Path) -> dict:
    path = directory / "tokenizer_config.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError:
        raise ModelError(
            f"{path}: ogiltig JSON; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        ) from None
