"""The workbench (`stamning serve`) through Starlette's TestClient: access token, CSRF, Host check, run ids,
bad uploads with the CLI's one-line errors, and the whole flow with the tiny model."""

from __future__ import annotations

import io
import re
import time
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (pip install -e '.[dev]')")
from starlette.testclient import TestClient

from stamning.errors import InputError
from stamning.io.tables import read_comments, read_frame
from stamning.web import create_app
from stamning.web.runs import RunStore, safe_filename
from stamning.web.security import Access

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "utvardering_kommundirektor.csv"
SMALL_CSV = "id;Kommentar;Omgång\n1;Väldigt dåligt bemötande.;2025\n2;Toppen, tack för stödet!;2025\n".encode()


def _alert(html: str) -> str:
    found = re.findall(r'role="alert"><strong>Fel:</strong> (.*?)</p>', html, re.S)
    assert found, html[:2000]
    return unescape(found[0])


@pytest.fixture()
def access() -> Access:
    return Access(allowed_hosts=("testserver",))


def _client(home: Path, access: Access, model=None) -> TestClient:
    return TestClient(create_app(home=home, model=model, access=access, max_upload_mb=1), follow_redirects=False)


@pytest.fixture()
def web(tmp_path, access):
    """No model needed: these tests never classify (the model loads on the first run only)."""
    return _client(tmp_path, access), access, tmp_path / "serve"


@pytest.fixture()
def web_model(tmp_path, access, tiny_model_dir):
    return _client(tmp_path, access, tiny_model_dir), access, tmp_path / "serve"


def _login(client, access) -> None:
    assert client.get(f"/?token={access.token}").status_code == 303


def _upload(client, access, name: str, content: bytes):
    return client.post(
        "/upload", data={"csrf": access.csrf}, files={"file": (name, content, "application/octet-stream")}
    )


def _wait(client, run_id: str, seconds: float = 120) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(f"/runs/{run_id}/status").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"run did not finish in {seconds} s: {status}")


# ------------------------------------------------------------------ access


@pytest.mark.parametrize("path", ["/", "/static/app.css", "/runs/" + "a" * 32 + "/status", "/upload"])
def test_every_endpoint_refuses_without_the_token(web, path):
    client, access, _ = web
    response = client.get(path)
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.text
    assert client.get(path + "?token=fel-token-som-inte-stammer").status_code == 403
    assert client.post(path, data={"csrf": access.csrf}).status_code == 403


def test_token_in_url_becomes_a_cookie_and_leaves_the_address(web):
    client, access, _ = web
    response = client.get(f"/?token={access.token}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    page = client.get("/")
    assert page.status_code == 200 and "Ladda upp" in page.text
    assert access.token not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_unknown_host_is_refused(web):
    client, access, _ = web
    _login(client, access)
    response = client.get("/", headers={"host": "angripare.example:8765"})
    assert response.status_code == 400 and "Fel värdnamn" in response.text


def test_forms_without_a_valid_csrf_value_are_refused(web):
    client, access, root = web
    _login(client, access)
    for data in ({}, {"csrf": "0" * 64}):
        response = client.post("/upload", data=data, files={"file": ("svar.csv", SMALL_CSV, "text/csv")})
        assert response.status_code == 403 and "CSRF" in _alert(response.text)
    assert not root.exists() or not any(root.iterdir())  # nothing saved
    run_id = _upload(client, access, "svar.csv", SMALL_CSV).headers["location"].split("/")[2]
    assert client.post(f"/runs/{run_id}/radera", data={}).status_code == 403
    assert client.post(f"/runs/{run_id}/start", data={"text": "Kommentar"}).status_code == 403
    assert (root / run_id).is_dir()


def test_a_form_posted_from_another_site_is_refused(web):
    client, access, root = web
    _login(client, access)
    files = {"file": ("svar.csv", SMALL_CSV, "text/csv")}
    response = client.post(
        "/upload", data={"csrf": access.csrf}, files=files, headers={"origin": "https://angripare.example"}
    )
    assert response.status_code == 403
    assert (
        client.post("/upload", data={"csrf": access.csrf}, files=files, headers={"origin": "null"}).status_code == 403
    )
    assert not root.exists() or not any(root.iterdir())
    ok = client.post("/upload", data={"csrf": access.csrf}, files=files, headers={"origin": "http://testserver"})
    assert ok.status_code == 303


@pytest.mark.parametrize(
    "bad", ["..%2F..%2Fetc", "ABCDEF", "A" * 32, "a" * 31, "a" * 32 + "x", "....", "a" * 32 + "%2F.."]
)
def test_bad_run_ids_never_reach_the_file_system(web, bad):
    client, access, _ = web
    _login(client, access)
    for suffix in ("", "/status", "/kolumner", "/filer/klassade.xlsx"):
        assert client.get(f"/runs/{bad}{suffix}").status_code == 404
    with pytest.raises(KeyError):
        RunStore(Path("/tmp/x")).folder("../" + "a" * 32)


def test_safe_filename_keeps_only_a_base_name_with_a_known_extension():
    assert safe_filename("../../etc/Svar från enkät.csv") == "Svar från enkät.csv"
    assert safe_filename(r"C:\Users\HR\export.XLSX") == "export.xlsx"
    with pytest.raises(InputError, match="okänd filtyp"):
        safe_filename("program.exe")


# ------------------------------------------------------------------ bad files


def test_broken_files_get_the_cli_error_on_the_page(web, tmp_path):
    client, access, root = web
    _login(client, access)
    response = _upload(client, access, "svar.xlsx", "det här är ingen excelfil".encode())
    assert response.status_code == 400 and "inte en riktig .xlsx-fil" in _alert(response.text)
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"Kommentar;Omg\xc3\xa5ng\n")
    with pytest.raises(InputError) as cli_error:
        read_frame(empty)
    response = _upload(client, access, "tom.csv", empty.read_bytes())
    assert response.status_code == 400
    assert _alert(response.text) == str(cli_error.value)  # the CLI's very line
    response = _upload(client, access, "svar.exe", b"MZ")
    assert response.status_code == 400 and "okänd filtyp" in _alert(response.text)
    assert not any(root.iterdir())  # failed uploads leave no run behind


def test_too_large_uploads_are_refused(web):
    client, access, root = web
    _login(client, access)
    response = _upload(client, access, "stor.csv", b"Kommentar\n" + b"x" * (2 << 20))
    assert response.status_code == 413 and "större än 1 MB" in _alert(response.text)
    assert not root.exists() or not any(root.iterdir())


def test_columns_must_exist_and_text_is_required(web):
    client, access, _ = web
    _login(client, access)
    run_id = _upload(client, access, "svar.csv", SMALL_CSV).headers["location"].split("/")[2]
    response = client.post(f"/runs/{run_id}/start", data={"csrf": access.csrf, "text": "Finns inte"})
    assert response.status_code == 400 and "finns inte i filen" in _alert(response.text)
    response = client.post(f"/runs/{run_id}/start", data={"csrf": access.csrf, "text": ""})
    assert response.status_code == 400 and "kommentarerna" in _alert(response.text)


# ------------------------------------------------------------------ the whole flow


def test_upload_to_report_and_downloads_with_the_tiny_model(web_model, tiny_model_dir, tmp_path):
    client, access, root = web_model
    _login(client, access)
    response = _upload(client, access, EXAMPLE.name, EXAMPLE.read_bytes())
    assert response.status_code == 303
    columns_url = response.headers["location"]
    run_id = columns_url.split("/")[2]
    page = client.get(columns_url).text
    guessed = dict(re.findall(r'<select id="col-(\w+)".*?<option value="([^"]*)" selected', page, re.S))
    assert guessed == {"text": "Kommentar", "id": "Respondent", "round": "Omgång", "group": "Grupp", "index": "Index"}
    form = {"csrf": access.csrf, **guessed}
    assert client.post(f"/runs/{run_id}/start", data=form).status_code == 303
    status = _wait(client, run_id)
    assert status["state"] == "done", status
    assert status["done"] == status["total"] == 186 and status["percent"] == 100 and status["rate"] > 0
    page = client.get(f"/runs/{run_id}").text
    assert "Klar: 186 rader" in page and "klassade.xlsx" in page

    rows = pd.read_excel(io.BytesIO(client.get(f"/runs/{run_id}/filer/klassade.xlsx").content), dtype=str)
    ids = read_comments(EXAMPLE).ids()
    assert sorted(rows["Respondent"].tolist()) == sorted(ids) and rows["Respondent"].is_unique
    assert set(rows["status"]) <= {"ok", "skipped"} and rows["reason"].notna().any()
    csv = client.get(f"/runs/{run_id}/filer/klassade.csv")
    assert csv.headers["content-disposition"].startswith("attachment") and csv.content.startswith(b"\xef\xbb\xbf")
    report = client.get(f"/runs/{run_id}/rapport")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    assert "<svg" in report.text and "Jämförelser mellan omgångar" in report.text and "<script" not in report.text
    assert client.get(f"/runs/{run_id}/filer/rapport.xlsx").content.startswith(b"PK")
    assert client.get(f"/runs/{run_id}/filer/..%2Frun.json").status_code == 404

    # a new server process over the same folder still shows the finished run
    again = _client(tmp_path, access)
    _login(again, access)
    assert again.get(f"/runs/{run_id}/status").json()["state"] == "done"

    assert client.post(f"/runs/{run_id}/radera", data={"csrf": access.csrf}).status_code == 303
    assert not (root / run_id).exists()
    assert client.get(f"/runs/{run_id}").status_code == 404


def test_deleting_a_running_run_stops_it_and_removes_its_folder(web_model):
    client, access, root = web_model
    _login(client, access)
    run_id = _upload(client, access, EXAMPLE.name, EXAMPLE.read_bytes()).headers["location"].split("/")[2]
    client.post(f"/runs/{run_id}/start", data={"csrf": access.csrf, "text": "Kommentar", "round": "Omgång"})
    assert client.post(f"/runs/{run_id}/radera", data={"csrf": access.csrf}).status_code == 303
    deadline = time.time() + 60
    while (root / run_id).exists() and time.time() < deadline:
        time.sleep(0.1)
    thread = client.app.state.jobs.threads[run_id]
    thread.join(60)
    assert not thread.is_alive() and not (root / run_id).exists()


def test_a_failing_run_shows_the_one_line_error_on_its_page(web_model):
    client, access, _ = web_model
    _login(client, access)
    run_id = _upload(client, access, "svar.csv", SMALL_CSV).headers["location"].split("/")[2]
    form = {"csrf": access.csrf, "text": "Kommentar", "index": "Omgång"}  # 2025 is no index 0-100
    client.post(f"/runs/{run_id}/start", data=form)
    status = _wait(client, run_id)
    assert status["state"] == "failed" and "index" in status["error"] and "\n" not in status["error"]
    page = client.get(f"/runs/{run_id}").text
    assert _alert(page) == status["error"] and "Välj kolumner och försök igen" in page
    assert "Väldigt dåligt" not in page  # no comment text in the error


def test_a_column_set_to_none_is_not_guessed_again(web_model):
    client, access, _ = web_model
    _login(client, access)
    run_id = _upload(client, access, "svar.csv", SMALL_CSV).headers["location"].split("/")[2]
    client.post(f"/runs/{run_id}/start", data={"csrf": access.csrf, "text": "Kommentar", "round": "", "id": ""})
    assert _wait(client, run_id)["state"] == "done"
    rows = pd.read_csv(io.BytesIO(client.get(f"/runs/{run_id}/filer/klassade.csv").content), sep=";", dtype=str)
    assert rows["id"].tolist() == ["1", "2"] and "input_id" in rows.columns
    report = client.get(f"/runs/{run_id}/rapport").text
    assert "Alla svar" in report and "Omgång 2025" not in report


def test_a_run_interrupted_by_a_restart_says_so(web, tmp_path):
    client, access, root = web
    _login(client, access)
    run_id = _upload(client, access, "svar.csv", SMALL_CSV).headers["location"].split("/")[2]
    meta = root / run_id / "run.json"
    meta.write_text(meta.read_text("utf-8").replace('"uploaded"', '"running"'), "utf-8")
    fresh = _client(tmp_path, access)
    _login(fresh, access)
    status = fresh.get(f"/runs/{run_id}/status").json()
    assert status["state"] == "failed" and "avbröts" in status["error"]


# ------------------------------------------------------------------ serve()


def test_serve_binds_loopback_by_default_and_warns_on_an_explicit_other_host(monkeypatch, tmp_path, free_port):
    import uvicorn

    from stamning.web import serve

    calls, lines = [], []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    serve(port=free_port(), home=tmp_path, echo=lines.append)
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["access_log"] is False
    assert re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", lines[-1]) and not any(
        "Varning" in m for m in lines
    )
    lines.clear()
    serve("0.0.0.0", free_port(), home=tmp_path, echo=lines.append)
    assert calls[-1]["host"] == "0.0.0.0" and lines[0].startswith("Varning")


def test_serve_says_when_the_port_is_taken(tmp_path):
    import socket

    from stamning.errors import ConfigError
    from stamning.web import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ConfigError, match="upptagen"):
            serve(port=busy.getsockname()[1], home=tmp_path, echo=lambda _: None)


def test_cli_serve_help_is_swedish():
    from typer.testing import CliRunner

    from stamning.cli.app import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "arbetsbänken" in result.output and "--host" in result.output


def test_a_windows_1252_export_with_lost_emoji_says_so_on_the_run_page(web_model):
    client, access, _ = web_model
    _login(client, access)
    content = "id;Kommentar\nå1;För mycket att göra och för få på golvet ?\nå2;Bra stämning i gruppen\n"
    response = _upload(client, access, "enkät.csv", content.encode("cp1252"))
    assert response.status_code == 303
    run_id = response.headers["location"].split("/")[2]
    form = {"csrf": access.csrf, "text": "Kommentar", "id": "id", "round": ""}
    assert client.post(f"/runs/{run_id}/start", data=form).status_code == 303
    assert _wait(client, run_id)["state"] == "done"
    page = client.get(f"/runs/{run_id}").text
    assert "Obs:</strong> 1 kommentar i enkät.csv har" in page and "CSV UTF-8" in page
    assert "golvet" not in page  # counts only, never a comment
    assert "Obs: 1 kommentar i enkät.csv har" in client.get(f"/runs/{run_id}/rapport").text
