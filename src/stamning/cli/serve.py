"""``stamning serve``: the workbench in the browser."""

from __future__ import annotations

from typing import Annotated

import typer

from stamning.cli.console import out
from stamning.cli.options import ModelOpt


def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Adress att lyssna på (annars 127.0.0.1, bara den här datorn). En annan adress ger en varning.",
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port att lyssna på.")] = 8765,
    model: ModelOpt = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Största fil som får laddas upp, i MB.")
    ] = 50,
) -> None:
    """Starta arbetsbänken i webbläsaren: ladda upp en export, välj kolumner, få rapporten och filerna."""
    from stamning.web import serve as run_server

    run_server(
        host,
        port,
        model=model,
        max_upload_mb=max_upload_mb,
        echo=lambda m: out.print(m, highlight=False, soft_wrap=True),
    )
