"""Refit a trained model's sentiment side on a fixed encoder: cheap, minutes instead of a LoRA run.

The encoder (base + LoRA adapter) and the theme side stay exactly as they are. On top of the encoder's
pooled embeddings this module
1. refits the sentiment head on the training part plus optional extra comments and label-preserving
   noisy variants of both (:mod:`stamning.training.augment`), starting from the current head;
2. optionally fits a lexical sentiment model (:mod:`stamning.model.lexical_sentiment`) and picks its blend
   weight on the validation part;
3. fits a temperature for the final probabilities on the validation part (:mod:`stamning.training.calibration`).
Validation comments are never trained on, augmented or used for anything but these choices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from stamning.errors import ConfigError
from stamning.model.inference import plan_segments, resolve_precision
from stamning.model.lexical_sentiment import LexicalSentiment, blend, choose_weight
from stamning.text import MAX_CHARS, normalize
from stamning.training.augment import AugmentConfig, augment
from stamning.training.calibration import calibrate, fit_temperature, softmax
from stamning.training.labelled import LabelledData
from stamning.training.loss import ordinal_targets
from stamning.training.metrics import expected_calibration_error, sentiment_metrics

if TYPE_CHECKING:
    from stamning.model.classifier import StamningModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefitConfig:
    epochs: int = 60
    learning_rate: float = 3e-3
    weight_decay: float = 0.01
    ordinal_smoothing: float = 0.15
    batch_size: int = 64
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    lexical: bool = False
    keep_best_epoch: bool = True  # False: the last epoch (the validation part then only reports)
    seed: int = 13

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or not 0 < self.learning_rate < 1:
            raise ConfigError(
                f"refit: epochs {self.epochs}, batch {self.batch_size} eller inlärningstakten {self.learning_rate} ligger utanför tillåtna gränser; ändra värdena"
            )
        if not 0 <= self.ordinal_smoothing < 0.5:
            raise ConfigError(f"refit: ordinal_smoothing är {self.ordinal_smoothing}; måste vara minst 0 och under 0,5")


def embed_comments(model: StamningModel, texts: list[str], batch_size: int = 32, precision: str = "auto") -> np.ndarray:
    """One pooled embedding per comment, read the way prediction reads it (chunks averaged), on the model's device."""
    clean = [normalize(str(t)[:MAX_CHARS]) for t in texts]
    segments = plan_segments(clean, model.tokenizer, model.config.max_length, model.config.input_prefix, False)
    order = sorted(range(len(segments)), key=lambda j: (segments[j].length, j))
    hidden = model.sentiment_head.in_features
    pooled = np.zeros((len(segments), hidden), np.float32)
    device = next(model.parameters()).device
    autocast = resolve_precision(precision, device.type)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = model.tokenizer(
                [model.config.input_prefix + segments[j].text for j in idx],
                padding=True,
                truncation=True,
                max_length=model.config.max_length,
                return_tensors="pt",
            )
            with torch.autocast(device.type, dtype=autocast or torch.bfloat16, enabled=autocast is not None):
                embedded = model.embed(batch["input_ids"].to(device), batch["attention_mask"].to(device))
            pooled[idx] = embedded.float().cpu().numpy()
    comment = np.array([s.comment for s in segments])
    out = np.zeros((len(texts), hidden), np.float32)
    np.add.at(out, comment, pooled)
    return (out / np.bincount(comment, minlength=len(texts))[:, None]).astype(np.float32)


def head_logits(weight: torch.Tensor, bias: torch.Tensor, emb: np.ndarray) -> np.ndarray:
    """The logits of a linear head on fixed embeddings (computed on the CPU, wherever the head lives)."""
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(emb, np.float32))
        return (x @ weight.detach().cpu().T + bias.detach().cpu()).numpy()


def _macro_f1(logits: np.ndarray, levels: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(levels, logits.argmax(1), average="macro", labels=range(5), zero_division=0))


def fit_head(
    init: torch.nn.Linear,
    emb: np.ndarray,
    levels: np.ndarray,
    val_emb: np.ndarray,
    val_levels: np.ndarray,
    config: RefitConfig,
) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """A linear sentiment head on fixed embeddings (ordinal-smoothed cross-entropy), warm-started from
    ``init``; the epoch with the best validation macro-F1 is kept (or the last one)."""
    torch.manual_seed(config.seed)
    head = torch.nn.Linear(init.in_features, init.out_features)
    head.load_state_dict({k: v.cpu() for k, v in init.state_dict().items()})
    x, y = torch.from_numpy(np.ascontiguousarray(emb, np.float32)), torch.from_numpy(np.asarray(levels, np.int64))
    target = ordinal_targets(y, init.out_features, config.ordinal_smoothing)
    optimizer = torch.optim.AdamW(head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    rng = np.random.default_rng(config.seed)
    best = (
        _macro_f1(head_logits(head.weight, head.bias, val_emb), val_levels),
        0,
        head.weight.detach().clone(),
        head.bias.detach().clone(),
    )
    for epoch in range(1, config.epochs + 1):
        for batch in np.array_split(rng.permutation(len(y)), max(1, len(y) // config.batch_size)):
            loss = -(target[batch] * torch.log_softmax(head(x[batch]), -1)).sum(-1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        score = _macro_f1(head_logits(head.weight, head.bias, val_emb), val_levels)
        if score > best[0] + 1e-6 or (not config.keep_best_epoch and epoch == config.epochs):
            best = (score, epoch, head.weight.detach().clone(), head.bias.detach().clone())
    return best[2], best[3], {"validation_macro_f1": best[0], "best_epoch": best[1]}


def training_rows(train: LabelledData, extra: LabelledData | None, config: RefitConfig) -> tuple[list[str], np.ndarray]:
    """The comments the head learns from: training part, extra comments and noisy variants of both."""
    texts = list(train.texts) + (list(extra.texts) if extra is not None else [])
    levels = np.concatenate([train.sentiment] + ([extra.sentiment] if extra is not None else []))
    if (levels < 0).any():
        raise ConfigError(
            f"refit: {(levels < 0).sum()} träningskommentarer saknar sentimentetikett; märk dem eller ta bort dem"
        )
    variants = augment(texts, levels, config.augment) if config.augment.copies else []
    return texts + [t for _, t in variants], np.concatenate(
        [levels, levels[[i for i, _ in variants]].astype(levels.dtype)]
    )


def refit_sentiment(
    model: StamningModel,
    train: LabelledData,
    val: LabelledData,
    extra: LabelledData | None = None,
    config: RefitConfig = RefitConfig(),
) -> dict[str, Any]:
    """Refit ``model``'s sentiment head in place, set its temperature (and lexical blend); a report."""
    texts, levels = training_rows(train, extra, config)
    logger.info(f"refit: embedding {len(texts)} training and {len(val)} validation comments")
    emb, val_emb = embed_comments(model, texts), embed_comments(model, val.texts)
    before = _macro_f1(head_logits(model.sentiment_head.weight, model.sentiment_head.bias, val_emb), val.sentiment)
    weight, bias, report = fit_head(model.sentiment_head, emb, levels, val_emb, val.sentiment, config)
    with torch.no_grad():
        model.sentiment_head.weight.copy_(weight)  # copy_ moves the refitted values to the head's device
        model.sentiment_head.bias.copy_(bias)
    val_probs = softmax(head_logits(weight, bias, val_emb))
    if config.lexical:
        report |= _attach_lexical_sentiment(model, texts, levels, val, val_probs)
        if model.lexical_sentiment is not None:
            val_probs = blend(
                val_probs, model.lexical_sentiment.predict_proba(val.texts), model.config.lexical_sentiment_weight
            )
    model.config.sentiment_temperature = fit_temperature(np.log(np.clip(val_probs, 1e-12, None)), val.sentiment)
    report |= {
        "validation_macro_f1_before": before,
        "temperature": model.config.sentiment_temperature,
        "training_rows": len(texts),
        "epochs": config.epochs,
        "last_epoch": not config.keep_best_epoch,
    }
    logger.info(
        f"refit: validation macro-F1 {before:.3f} -> {report['validation_macro_f1']:.3f}, temperature {model.config.sentiment_temperature}"
    )
    return report


def calibrate_only(model: StamningModel, val: LabelledData) -> dict[str, Any]:
    """Only the temperature: fitted on the validation part, the head and everything else unchanged."""
    logger.info(f"calibration: embedding {len(val)} validation comments")
    probs = softmax(
        head_logits(model.sentiment_head.weight, model.sentiment_head.bias, embed_comments(model, val.texts))
    )
    before = model.config.sentiment_temperature
    model.config.sentiment_temperature = fit_temperature(np.log(np.clip(probs, 1e-12, None)), val.sentiment)
    logger.info(f"calibration: temperature {before} -> {model.config.sentiment_temperature}")
    after = calibrate(probs, model.config.sentiment_temperature)
    return {
        "temperature": model.config.sentiment_temperature,
        "validation_comments": len(val),
        "validation_ece_before": expected_calibration_error(probs, val.sentiment),
        "validation_sentiment": sentiment_metrics(after, val.sentiment),
    }


def _attach_lexical_sentiment(
    model: StamningModel, texts: list[str], levels: np.ndarray, val: LabelledData, val_probs: np.ndarray
) -> dict:
    lexical = LexicalSentiment.fit(texts, levels)
    weight = choose_weight(val_probs, lexical.predict_proba(val.texts), val.sentiment)
    model.lexical_sentiment = lexical if weight > 0 else None
    model.config.lexical_sentiment_weight = weight
    return {"lexical_sentiment_weight": weight}
