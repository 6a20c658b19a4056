"""``stamning serve``: a local web workbench (upload → columns → progress → report → downloads).

Importing this package starts nothing; :func:`serve` runs the server and :func:`create_app` builds the
ASGI app (tests use it with a tiny model and a temporary home).

Modules: ``app`` (the pages), ``jobs`` (the background classify and report), ``runs`` (one folder per
run), ``security`` (token, CSRF, Host check, headers)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stamning.errors import ConfigError

__all__ = ["create_app", "serve"]
DEFAULT_PORT = 8765


def create_app(**kwargs):
    from stamning.web.app import create_app as build

    return build(**kwargs)


def serve(
    host: str | None = None,
    port: int = DEFAULT_PORT,
    *,
    model: str | Path | None = None,
    max_upload_mb: int = 50,
    home: str | Path | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Run the workbench until Ctrl-C. Binds to 127.0.0.1 unless ``host`` is given; a non-loopback host
    is allowed only when given explicitly, and then warned about."""
    import socket

    import uvicorn

    from stamning.web.security import LOOPBACK_NAMES, Access, is_loopback

    bind = host or "127.0.0.1"
    if not 0 < port < 65536:
        raise ConfigError(f"--port {port}: välj ett portnummer mellan 1 och 65535")
    if is_loopback(bind):
        hosts: tuple[str, ...] = LOOPBACK_NAMES
    elif bind in ("0.0.0.0", "::"):
        hosts = ("*",)  # every interface: any name the machine is reached by
    else:
        hosts = (*LOOPBACK_NAMES, bind, socket.gethostname())
    access = Access(allowed_hosts=tuple(hosts), cookie=f"stamning_token_{port}")
    app = create_app(home=home, model=model, access=access, max_upload_mb=max_upload_mb)
    with socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET) as probe:
        try:
            probe.bind((bind, port))
        except OSError:
            raise ConfigError(
                f"port {port} på {bind} är upptagen eller går inte att använda; välj en annan med --port"
            ) from None
    if not is_loopback(bind):
        echo(
            f"Varning: servern lyssnar på {bind}, inte bara på den här datorn. Alla som når adressen och "
            "har token kan se uppladdade svar. Använd det bara i ett betrott nätverk."
        )
    shown = "127.0.0.1" if bind in ("0.0.0.0", "::") else bind
    shown = f"[{shown}]" if ":" in shown else shown
    echo(f"Öppna http://{shown}:{port}/?token={access.token} i webbläsaren. Avsluta med Ctrl+C.")
    uvicorn.run(app, host=bind, port=port, log_level="warning", access_log=False, server_header=False)
