"""Checks on a model directory's files before anything reads them.

A model directory is data someone else may have made or damaged: a ``.safetensors`` header can claim
sizes and shapes the file does not hold, a file can be cut short, a symbolic link can lead out of the
directory, a ``config.json`` can be anything. Every check here reads only what the file is known to
hold (the header length is compared with the file size before the header is read) and raises a
:class:`~stamning.errors.ModelError` naming the file, what is wrong and the fix.

The safetensors layout is the published one: 8 bytes little-endian header length, a JSON header
naming each tensor's dtype, shape and ``data_offsets`` (relative to the data block), then the data,
which the tensors cover exactly.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

from stamning.errors import ModelError

FIX = "bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
MAX_HEADER_BYTES = 100 * 1024 * 1024  # safetensors' own limit
MAX_JSON_BYTES = 50 * 1024 * 1024  # config.json, lexical.json and the like
DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "U16": 2,
    "I16": 2,
    "F16": 2,
    "BF16": 2,
    "U32": 4,
    "I32": 4,
    "F32": 4,
    "U64": 8,
    "I64": 8,
    "F64": 8,
}


def damaged(path: Path, what: str) -> ModelError:
    return ModelError(f"{path}: {what}; modellfilen är skadad – {FIX}")


def check_links(directory: Path) -> None:
    """Refuse a symbolic link in ``directory`` (or below it) whose target lies outside it."""
    root = directory.resolve()
    for entry in directory.rglob("*"):
        if not entry.is_symlink():
            continue
        target = entry.resolve()
        if target != root and root not in target.parents:
            raise ModelError(
                f"{entry}: en symbolisk länk som pekar ut ur modellmappen (till {target}); stamning läser inga filer "
                "utanför modellmappen – kopiera in filen i mappen i stället för att länka"
            )


def read_json(path: Path) -> object:
    """A JSON file of a model directory, bounded in size; a damaged one is a ModelError naming it."""
    if not path.is_file():
        raise ModelError(f"{path}: filen saknas; modellmappen är ofullständig – {FIX}")
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise damaged(path, f"{size} byte är för stort för en JSON-fil i en modellmapp")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise damaged(path, "inte UTF-8-text") from None
    except json.JSONDecodeError as err:
        raise damaged(path, f"ogiltig JSON ({err.msg}, rad {err.lineno})") from None


def _check_entry(path: Path, name: str, entry: object, data_size: int) -> int:
    """The end offset of one tensor entry, after checking dtype, shape and offsets against the file."""
    if not isinstance(entry, dict):
        raise damaged(path, f"tensorn {name[:80]!r} beskrivs inte som ett objekt i huvudet")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BYTES:
        raise damaged(path, f"tensorn {name[:80]!r} har en okänd datatyp {str(dtype)[:20]!r}")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise damaged(path, f"tensorn {name[:80]!r} har en ogiltig form")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(type(n) is int for n in offsets)
        or not 0 <= offsets[0] <= offsets[1] <= data_size
    ):
        raise damaged(path, f"tensorn {name[:80]!r} pekar utanför filens {data_size} databyte")
    claimed = math.prod(shape) * DTYPE_BYTES[dtype]
    if claimed != offsets[1] - offsets[0]:
        raise damaged(
            path,
            f"tensorn {name[:80]!r} har formen {shape[:8]} ({claimed} byte) men {offsets[1] - offsets[0]} byte i filen",
        )
    return offsets[1]


def check_safetensors(path: Path) -> tuple[dict, int]:
    """The header of a ``.safetensors`` file and the data block's start, after checking that every size
    and offset it claims fits the file (nothing is allocated from a claimed size before that)."""
    if not path.is_file():
        raise ModelError(f"{path}: filen saknas; modellmappen är ofullständig – {FIX}")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        raw = fh.read(8)
        if len(raw) < 8:
            raise damaged(path, "kortare än ett safetensors-huvud (8 byte)")
        (length,) = struct.unpack("<Q", raw)
        if length > size - 8 or length > MAX_HEADER_BYTES:
            raise damaged(path, f"huvudet anger {length} byte men filen har {size} byte")
        text = fh.read(length)
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise damaged(path, "safetensors-huvudet är inte giltig JSON") from None
    if not isinstance(header, dict):
        raise damaged(path, "safetensors-huvudet är inte ett JSON-objekt")
    data_size = size - 8 - length
    end = max(
        (_check_entry(path, name, entry, data_size) for name, entry in header.items() if name != "__metadata__"),
        default=0,
    )
    if end != data_size:
        raise damaged(path, f"tensorerna täcker {end} av filens {data_size} databyte (avkortad eller förlängd fil)")
    return header, 8 + length


def check_weight_files(*directories: Path) -> None:
    """Check every ``.safetensors`` file directly in each directory (see :func:`check_safetensors`)."""
    for directory in directories:
        for file in sorted(directory.glob("*.safetensors")):
            check_safetensors(file)
