"""Training arguments: a validated dataclass without file-system access, the mode an Enum, the device checked
before anything loads, progress through standard logging (shown by the CLI on stderr)."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.errors import ConfigError
from stamning.options import Device
from stamning.training.arguments import TrainConfig, TrainMode, check_device

runner = CliRunner()


def test_values_are_checked_without_touching_the_file_system(tmp_path):
    cfg = TrainConfig(data=tmp_path / "saknas.jsonl", output=tmp_path / "ut" / "modell", mode="heads")
    assert cfg.mode is TrainMode.HEADS and cfg.device is Device.CPU
    assert not (tmp_path / "ut").exists()
    with pytest.raises(ConfigError, match="träningsdatan finns inte"):
        cfg.check_inputs()
    with pytest.raises(ConfigError, match="valideringsdatan finns inte"):
        TrainConfig(data=tmp_path, output=tmp_path / "m", validation_data=tmp_path / "nej.csv").check_inputs()


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        ({"mode": "half"}, "--mode half: okänt värde; tillåtna värden: heads, lora, full"),
        ({"device": "tpu"}, "--device tpu: okänt värde; tillåtna värden: cpu, cuda"),
        ({"epochs": 0}, "epochs är 0"),
        ({"precision": "fp16"}, "precision är 'fp16'"),
        ({"max_length": 8}, "max_length är 8"),
    ],
)
def test_bad_values_fail_in_swedish(tmp_path, kwargs, needle):
    with pytest.raises(ConfigError) as err:
        TrainConfig(data=tmp_path, output=tmp_path / "m", **kwargs)
    assert needle in str(err.value)


def test_modes_and_the_old_name_for_heads():
    assert [m.value for m in TrainMode] == ["heads", "lora", "full"]
    assert TrainMode.parse("frozen", "--mode") is TrainMode.HEADS  # older scripts keep working
    assert [m.encoder_mode for m in TrainMode] == ["frozen", "lora", "full"]  # the stored model format is unchanged


def test_cuda_without_a_gpu_is_refused(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="--device cuda: ingen CUDA-GPU"):
        check_device("cuda")
    check_device(Device.CPU)


def test_cli_train_on_cuda_without_a_gpu_stops_before_anything_loads(monkeypatch, labelled_file, tmp_path):
    import torch

    import stamning.training.trainer as trainer

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(trainer, "load_labelled", lambda *a, **k: pytest.fail("data was loaded"))
    args = ["train", "--data", str(labelled_file), "-o", str(tmp_path / "m"), "--device", "cuda"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: --device cuda: ingen CUDA-GPU")
    assert not (tmp_path / "m").exists()


def test_library_training_with_cuda_without_a_gpu_is_refused_first(monkeypatch, labelled_file, tmp_path):
    import torch

    import stamning.training.trainer as trainer

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(trainer, "load_labelled", lambda *a, **k: pytest.fail("data was loaded"))
    with pytest.raises(ConfigError, match="ingen CUDA-GPU"):
        trainer.train(TrainConfig(data=labelled_file, output=tmp_path / "m", device="cuda"))


def _heads_args(labelled_file, tiny_base, out):
    return [
        "train", "--data", str(labelled_file), "-o", str(out), "--base", str(tiny_base), "--mode", "heads",
        "--head-epochs", "5", "--max-length", "64", "--validation-data", str(labelled_file),
    ]  # fmt: skip


def test_cli_train_shows_progress_on_stderr_and_records_the_arguments(labelled_file, tiny_base, tmp_path):
    result = runner.invoke(app, _heads_args(labelled_file, tiny_base, tmp_path / "m"))
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert progress[0].startswith("tränar heads på 20 kommentarer, validerar på 20")
    assert any(line.startswith("huvuden, epok 5 av 5: förlust") for line in progress)
    assert "Sparade modellen i" in result.stdout and "tränar" not in result.stdout
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text("utf-8"))
    assert metrics["train_config"]["mode"] == "heads" and metrics["train_config"]["device"] == "cpu"
    stored = json.loads((tmp_path / "m" / "config.json").read_text("utf-8"))
    assert stored["encoder_mode"] == "frozen"
    assert not logging.getLogger("stamning.training").handlers  # the CLI's handler is gone afterwards


def test_training_logs_through_standard_logging(labelled_file, tiny_base, tmp_path, caplog):
    from stamning.training.trainer import train

    cfg = TrainConfig(
        data=labelled_file, output=tmp_path / "m", base=str(tiny_base), mode=TrainMode.HEADS, head_epochs=5,
        max_length=64, validation_data=labelled_file, log_every=0,
    )  # fmt: skip
    with caplog.at_level(logging.INFO, logger="stamning.training"):
        train(cfg)
    names = {r.name for r in caplog.records}
    assert names == {"stamning.training.trainer"}
    assert any(r.getMessage().startswith("huvuden, epok 5 av 5") for r in caplog.records)
