"""Embedding rows read from a ``.safetensors`` file on demand.

Why: the default base's word-embedding matrix is 250,037 × 384 float32 (384 MB), four fifths of the
encoder, yet Swedish comments use a few ten thousand of its rows. Memory-mapping the file does not help
as much as it seems: the kernel maps neighbouring pages around every touched row ("fault-around"), and
after a few thousand comments the whole matrix counts towards the process's resident memory (measured:
+394 MB file-backed RSS over 2,048 comments). :class:`LazyRows` instead reads only the rows a batch
needs, once, into a compact table, so resident memory grows with the vocabulary actually seen
(1.5 KB a row), never with the matrix.

The safetensors layout used here is the published format: 8 bytes little-endian header length, a JSON
header naming each tensor's dtype, shape and byte offsets, then the raw little-endian data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from stamning.errors import ModelError
from stamning.io.modelfiles import check_safetensors

_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "F64": torch.float64}


def tensor_location(path: Path, name: str) -> tuple[int, tuple[int, ...], torch.dtype]:
    """Absolute byte offset, shape and dtype of tensor ``name`` inside safetensors file ``path``."""
    header, data_start = check_safetensors(Path(path))  # sizes and offsets checked against the file
    entry = header.get(name)
    if not isinstance(entry, dict) or entry.get("dtype") not in _DTYPES:
        raise ModelError(
            f"{path}: ingen tensor {name!r} med flyttalstyp i safetensors-filen; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        )
    start, end = entry["data_offsets"]
    shape, dtype = tuple(entry["shape"]), _DTYPES[entry["dtype"]]
    if len(shape) != 2 or end - start != shape[0] * shape[1] * dtype.itemsize:
        raise ModelError(
            f"{path}: tensorn {name!r} har positioner som inte passar formen {shape}; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        )
    return data_start + start, shape, dtype


class LazyRows:
    """A (rows × width) matrix in a file; :meth:`lookup` behaves like ``F.embedding(ids, matrix)``.

    The rows read are kept as plain bytes in numpy arrays, so the table can be filled inside and outside
    ``torch.inference_mode`` alike."""

    def __init__(self, path: Path, name: str):
        self.path = Path(path)
        self.offset, self.shape, self.dtype = tensor_location(self.path, name)
        self.row_bytes = self.shape[1] * self.dtype.itemsize
        self._slot = np.full(self.shape[0], -1, dtype=np.int64)  # row id → position in _table
        self._table = np.empty((0, self.row_bytes), dtype=np.uint8)
        self.loaded = 0

    def lookup(self, ids: torch.Tensor) -> torch.Tensor:
        """The rows for ``ids`` (any shape), on the ids' device; reads rows not seen before."""
        flat = ids.reshape(-1).cpu().numpy()
        if not flat.size:
            return torch.empty((*ids.shape, self.shape[1]), dtype=self.dtype, device=ids.device)
        if int(flat.min()) < 0 or int(flat.max()) >= self.shape[0]:
            raise IndexError(f"token id out of range for an embedding of {self.shape[0]} rows")
        new = np.unique(flat)
        new = new[self._slot[new] < 0]
        if new.size:
            self._read(new)
        rows = torch.from_numpy(self._table[self._slot[flat]]).view(self.dtype)
        return rows.reshape(*ids.shape, self.shape[1]).to(ids.device)

    def full(self) -> torch.Tensor:
        """The whole matrix (reads it all: for saving or moving to a GPU)."""
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = np.fromfile(fh, dtype=np.uint8, count=self.shape[0] * self.row_bytes)
        if data.size != self.shape[0] * self.row_bytes:
            raise ModelError(
                f"{self.path}: filen tar slut mitt i inbäddningsmatrisen; den är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            )
        return torch.from_numpy(data).view(self.dtype).reshape(self.shape)

    def _read(self, new: np.ndarray) -> None:
        """Append rows ``new`` (sorted, not yet read) to the table."""
        needed = self.loaded + new.size
        if needed > self._table.shape[0]:  # grow geometrically: amortised copies stay linear
            capacity = min(self.shape[0], max(needed, 2 * self._table.shape[0], 1024))
            grown = np.empty((capacity, self.row_bytes), dtype=np.uint8)
            grown[: self.loaded] = self._table[: self.loaded]
            self._table = grown
        with open(self.path, "rb") as fh:
            for k, row in enumerate(new.tolist()):
                fh.seek(self.offset + row * self.row_bytes)
                if fh.readinto(memoryview(self._table[self.loaded + k])) != self.row_bytes:
                    raise ModelError(
                        f"{self.path}: filen tar slut mitt i inbäddningsmatrisen; den är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
                    )
        self._slot[new] = np.arange(self.loaded, needed)
        self.loaded = needed
