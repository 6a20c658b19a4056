"""Model cards: what a model was trained on, how, and how well it does."""

from __future__ import annotations

from stamning.model.config import ModelConfig


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _sentiment_rows(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['n']} | {_pct(m['accuracy'])} | {_pct(m['macro_f1'])} | {m['mcc']:.3f} | "
        f"{m['mae']:.3f} | {m['ece']:.3f} |"
    )


def metrics_tables(metrics: dict) -> str:
    lines = ["| data | n | accuracy | macro-F1 | MCC | MAE (levels) | ECE |", "|---|---|---|---|---|---|---|"]
    for name, block in metrics.items():
        if isinstance(block, dict) and "sentiment" in block:
            lines.append(_sentiment_rows(name, block["sentiment"]))
    three = [(n, b["sentiment"]["three_class"]) for n, b in metrics.items() if isinstance(b, dict) and "sentiment" in b]
    three += [
        (n, b["three_class"])
        for n, b in metrics.items()
        if isinstance(b, dict) and "three_class" in b and "sentiment" not in b
    ]
    lines += ["", "Three classes (neg / neu / pos):", "", "| data | n | accuracy | macro-F1 |", "|---|---|---|---|"]
    lines += [f"| {n} | {m['n']} | {_pct(m['accuracy'])} | {_pct(m['macro_f1'])} |" for n, m in three]
    for name, block in metrics.items():
        if isinstance(block, dict) and "themes" in block:
            t = block["themes"]
            lines += [
                "",
                f"Themes on {name}: micro-F1 {_pct(t['micro_f1'])}, macro-F1 {_pct(t['macro_f1'])}",
                "",
                "| theme | F1 | support |",
                "|---|---|---|",
            ]
            lines += [f"| {k} | {_pct(v['f1'])} | {v['support']} |" for k, v in t["per_theme"].items()]
    return "\n".join(lines)


def _theme_blend(config: ModelConfig) -> str:
    w = config.lexical_theme_weight
    if w <= 0:
        return "the theme head's sigmoid"
    return (
        f"{1 - w:.2f} × the theme head's sigmoid + {w:.2f} × a lexical model (TF-IDF word 1–2-grams and "
        "character 2–5-grams, one logistic regression per theme; `lexical.*`)"
    )


def _sentiment_blend(config: ModelConfig) -> str:
    head = f"softmax of the sentiment head's logits / {config.sentiment_temperature:g} (temperature fitted on the validation split)"
    w = config.lexical_sentiment_weight
    if w <= 0:
        return head
    return f"{1 - w:.2f} × the {head} + {w:.2f} × a lexical 5-level model (same n-grams, multinomial logistic regression; `lexical_sentiment.*`)"


def _refit(metrics: dict) -> str:
    r = metrics.get("sentiment_refit")
    if not r:
        return ""
    extra = r.get("extra", {})
    rows = (
        f"the training part, {extra['comments']} extra comments from `{extra['source']}`"
        if extra.get("comments")
        else "the training part"
    )
    return (
        f"\n- Sentiment refit (`models/refit_sentiment.py`): the sentiment head refitted on the fixed encoder with "
        f"{r['training_rows']} rows ({rows} and label-preserving noisy variants, `stamning.training.augment`), "
        f"last of {r.get('epochs', '?')} epochs; validation macro-F1 {r['validation_macro_f1_before']:.3f} → "
        f"{r['validation_macro_f1']:.3f}; temperature {r['temperature']:g}; {r['seconds']} s"
    )


def _heads_refit(metrics: dict) -> str:
    r, data = metrics.get("heads_refit"), metrics.get("data", {})
    if not r:
        return ""
    recipe, themes = r.get("sentiment_recipe", {}), r.get("theme_head", {})
    return (
        f"\n- Both heads refitted (`models/refit_sentiment.py --themes`) on the fixed encoder with "
        f"{data.get('heads_train', '?')} training comments from `{data.get('heads_source', '?')}` and "
        f"{r.get('noisy_variants', '?')} label-preserving noisy variants; validation `{r.get('validation', '?')}` "
        f"({data.get('heads_validation', '?')} comments); sentiment recipe chosen on {r.get('sentiment_choice_on', 'validation')}: "
        f"{recipe.get('chosen', '?')} (macro-F1 {recipe.get('validation_macro_f1', float('nan')):.3f}, temperature "
        f"{recipe.get('temperature', '?')}); theme head epoch {themes.get('best_epoch', '?')}, validation micro-F1 "
        f"{themes.get('validation_micro_f1', float('nan')):.3f}; {r.get('seconds', '?')} s"
    )


def _validation_source(tc: dict) -> str:
    if tc.get("validation_data"):
        return f"from `{tc['validation_data']}`"
    return f"stratified by sentiment, seed {tc.get('seed', '?')}"


def model_card(config: ModelConfig, metrics: dict) -> str:
    tc = metrics.get("train_config", {})
    data = metrics.get("data", {})
    measured = {k: v for k, v in metrics.items() if k not in ("train_config", "data", "history", "seconds")}
    return f"""# stamning model

A stamning classifier: one encoder, a 5-level sentiment head and a multi-label theme head.

- **Base encoder:** `{config.base}` (mode: {config.encoder_mode}{", encoder stored here" if config.encoder_saved else ", derived at setup time"})
- **Input:** `{config.input_prefix!r}` + comment, up to {config.max_length} tokens; longer comments in sentence-aligned chunks
- **Pooling:** {config.pooling}
- **Sentiment levels:** {", ".join(config.sentiment_labels)}
- **Themes ({len(config.theme_keys)}):** {", ".join(config.theme_keys)}
- **Theme probability:** {_theme_blend(config)}
- **Sentiment probability:** {_sentiment_blend(config)}
- **Format version:** {config.format_version}

## Training

- Data (`stamning train`, encoder and heads): `{data.get("source", "?")}`: {data.get("train", "?")} comments for training, {data.get("validation", "?")} for validation ({_validation_source(tc)})
- Hyper-parameters: epochs {tc.get("epochs")}, batch {tc.get("batch_size")}, learning rate {tc.get("learning_rate")} (encoder) / {tc.get("head_learning_rate")} (heads), ordinal smoothing {tc.get("ordinal_smoothing")}, LoRA r={tc.get("lora_r")} alpha={tc.get("lora_alpha")}
- Loss: cross-entropy with soft targets that give neighbouring levels {tc.get("ordinal_smoothing")} of the mass; themes: BCE with per-theme positive weights (sqrt of the imbalance, capped at 8); theme thresholds tuned per theme on the validation split
- Time: {metrics.get("seconds", "?")} s on CPU{_refit(metrics)}{_heads_refit(metrics)}

## Measured

{metrics_tables(measured)}

## Limits

Trained on comments written for stamning (see data/ANNOTATION.md): Swedish workplace, municipal and
blog feedback. Expect lower figures on other registers (tweets, product reviews). Irony and reported
speech remain hard. Labels and themes are a tool for reading many comments, not a verdict on one.
"""
