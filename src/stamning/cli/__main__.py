"""``python -m stamning.cli``: the same as the ``stamning`` command."""

from stamning.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
