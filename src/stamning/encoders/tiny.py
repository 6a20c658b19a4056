"""A tiny BERT for tests, notebooks and CI: a cased WordPiece tokenizer trained on the spot
(``strip_accents=False`` so å/ä/ö survive, like KB-BERT's) and a randomly initialised 2-layer encoder.

It has KB-BERT's shape (cased WordPiece, BERT architecture) at a size that trains in seconds; it is
not a useful classifier until fine-tuned, and even then only on the data it saw."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

DEFAULT_TEXTS = (
    "Å ä ö är svenska bokstäver. Tack för bra information och stöd!",
    "Mycket dåligt, negativt, bra, positivt, neutralt, chefen, kommunen, förvaltningen.",
    "Fantastisk chef, alltid lyhörd och vänlig! Väldigt dåligt bemötande.",
    "Samarbetet fungerar bra. Informationen kommer ofta för sent. Stress och arbetsbelastning.",
)


def build_tiny_bert(directory: str | Path, texts: Iterable[str] = (), vocab_size: int = 400, seed: int = 0) -> Path:
    """Write a tiny BERT (safetensors) and its tokenizer to ``directory``; returns the directory."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    corpus = list(texts) + list(DEFAULT_TEXTS)
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False, clean_text=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tok.train_from_iterator(corpus, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=64,
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        pad_token_id=0,
    )
    out = Path(directory)
    BertModel(config, add_pooling_layer=False).save_pretrained(out, safe_serialization=True)
    fast.save_pretrained(out)
    return out
