"""``python -m stamning.cli``: the same as the ``stamning`` command."""

from stamning.cli.app import app

if __name__ == "__main__":  # pragma: no cover
    app()
