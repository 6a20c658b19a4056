"""What :class:`~stamning.model.classifier.StamningModel` needs from an encoder and from a tokenizer.

Two encoders meet :class:`Encoder`: stamning's built-in BERT (:class:`stamning.encoders.bert.BertEncoder`,
prediction only) and a transformers model loaded by :func:`stamning.model.classifier.load_encoder` (also
wrapped by peft for LoRA). Both are ``torch.nn.Module``; the model reads ``config.hidden_size`` once (the
width of its heads) and ``last_hidden_state`` from each forward pass. Two tokenizers meet :class:`Tokenizer`:
:class:`stamning.encoders.tokenizer.LightTokenizer` and transformers' fast tokenizers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import torch


class HasHiddenSize(Protocol):
    """An encoder's configuration, as far as stamning reads it."""

    @property
    def hidden_size(self) -> int: ...


class EncoderOutput(Protocol):
    """What one forward pass returns: token states ``[batch, tokens, hidden]``."""

    @property
    def last_hidden_state(self) -> torch.Tensor: ...


@runtime_checkable
class Encoder(Protocol):
    """A text encoder: token ids and attention mask in, token states out."""

    @property
    def config(self) -> HasHiddenSize: ...

    def __call__(self, *, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> EncoderOutput: ...

    def parameters(self, recurse: bool = True) -> Iterator[torch.nn.Parameter]: ...

    def save_pretrained(self, save_directory: str, *, safe_serialization: bool = True) -> None: ...


@runtime_checkable
class Tokenizer(Protocol):
    """The calling convention stamning uses (see :mod:`stamning.encoders.tokenizer`).

    ``tok(texts, add_special_tokens=False)["input_ids"]`` (lists of ids),
    ``tok(texts, padding=True, truncation=True, max_length=n, return_tensors="pt")`` (tensors
    ``input_ids`` and ``attention_mask``), ``tok(texts, add_special_tokens=False,
    return_offsets_mapping=True)["offset_mapping"]``, ``pad_token_id`` and ``save_pretrained``."""

    @property
    def pad_token_id(self) -> int | None: ...

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
    ) -> Mapping[str, Any]: ...

    def save_pretrained(self, save_directory: str) -> Any: ...
