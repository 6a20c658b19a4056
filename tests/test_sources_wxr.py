"""WordPress exports: approved comments in, spam/trash/pending/pingbacks left out and counted, no entities."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.errors import InputError
from stamning.io.tables import read_comments
from stamning.io.wxr import read_wxr

runner = CliRunner()


def comment(
    cid: int, text: str, approved: str = "1", kind: str = "", parent: int = 0, date: str = "2026-03-02 10:15:00"
) -> str:
    return f"""<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[Åsa Öberg]]></wp:comment_author>
      <wp:comment_author_email>asa@example.se</wp:comment_author_email><wp:comment_date>{date}</wp:comment_date>
      <wp:comment_content><![CDATA[{text}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


WXR = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Kommunbloggen</title>
<item><title>Nya öppettider på biblioteket</title><wp:post_id>11</wp:post_id><wp:post_type>post</wp:post_type>
  {comment(101, "Äntligen längre öppet på kvällarna, tack!")}
  {comment(102, "KÖP BILLIGA KLOCKOR", approved="spam")}
  {comment(103, "Håller inte med, lördagar behövs mer.", parent=101)}
  {comment(104, "Borttagen", approved="trash")}
  {comment(105, "https://annan.example/länk", kind="pingback")}
</item>
<item><title>Budget för äldreomsorgen</title><wp:post_id>12</wp:post_id><wp:post_type>post</wp:post_type>
  {comment(201, "Äldreomsorgen måste prioriteras före allt annat.", date="2026-04-11 08:00:00")}
  {comment(202, "Väntar på granskning", approved="0")}
  {comment(203, "", date="2026-04-12 09:00:00")}
</item>
<item><title>Bild</title><wp:post_id>13</wp:post_id><wp:post_type>attachment</wp:post_type></item>
</channel></rss>
"""


@pytest.fixture
def wxr(tmp_path):
    path = tmp_path / "kommunbloggen.xml"
    path.write_text(WXR, "utf-8")
    return path


def test_approved_comments_with_post_title_and_date(wxr, caplog):
    with caplog.at_level(logging.WARNING, logger="stamning.sources"):
        frame, counts = read_wxr(wxr)
    assert frame["id"].tolist() == ["101", "103", "201", "203"]
    assert frame["omgång"].tolist() == ["Nya öppettider på biblioteket"] * 2 + ["Budget för äldreomsorgen"] * 2
    assert frame["text"].tolist()[:3] == [
        "Äntligen längre öppet på kvällarna, tack!",
        "Håller inte med, lördagar behövs mer.",
        "Äldreomsorgen måste prioriteras före allt annat.",
    ]
    assert frame["månad"].tolist() == ["2026-03", "2026-03", "2026-04", "2026-04"]
    assert frame["svar_på"].tolist() == ["", "101", "", ""]
    assert "Åsa" not in frame.to_string() and "asa@example.se" not in frame.to_string()  # authors are not read
    assert (counts.posts, counts.approved) == (2, 4)
    assert dict(counts.left_out) == {"skräppost": 1, "papperskorgen": 1, "pingback": 1, "väntar på granskning": 1}
    assert (
        "4 godkända kommentarer från 2 inlägg; utelämnade: 1 papperskorgen, 1 pingback, 1 skräppost, "
        "1 väntar på granskning" in caplog.text
    )
    assert "KÖP" not in caplog.text  # never a comment's text in a log


def test_post_title_is_the_round(wxr):
    table = read_comments(wxr)
    assert (table.columns.text, table.columns.id, table.columns.round) == ("text", "id", "omgång")
    monthly = read_comments(wxr, round_column="månad", group_column="omgång")
    assert (monthly.columns.round, monthly.columns.group) == ("månad", "omgång")


@pytest.mark.parametrize(
    "xml, message",
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]><rss><x>&b;</x></rss>',
            "DOCTYPE",
        ),
        ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>', "DOCTYPE"),
        ("<rss><channel><item><title>Öppet</title></item></channel></rss>", "inte en WordPress-export"),
        (
            '<rss xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<item><title>Å</title></chanel></rss>',
            "ogiltig XML på rad 3",
        ),
    ],
)
def test_unsafe_or_wrong_xml_is_refused(tmp_path, xml, message):
    path = tmp_path / "export.xml"
    path.write_text(xml, "utf-8")
    with pytest.raises(InputError, match=message):
        read_wxr(path)


def test_only_spam_is_an_error_that_counts(tmp_path):
    path = tmp_path / "skräp.xml"
    path.write_text(
        WXR.replace("<wp:comment_approved>1</wp:comment_approved>", "<wp:comment_approved>spam</wp:comment_approved>"),
        "utf-8",
    )
    with pytest.raises(InputError, match="inga godkända kommentarer.*5 skräppost"):
        read_wxr(path)


def test_classify_a_wordpress_export(wxr, tmp_path, tiny_model_dir):
    out = tmp_path / "klassat.csv"
    result = runner.invoke(app, ["classify", str(wxr), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert "4 rader: 3 klassificerade, 1 hoppade över" in result.output
    assert "1 skräppost" in result.output
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("id;omgång;datum;månad") and len(lines) == 5


def test_comment_html_becomes_plain_text():
    from stamning.io.wxr import plain_text

    assert (
        plain_text('<p>Läs <a href="https://x.se/å">beslutet</a> &amp; protokollet.</p><p>Två stycken<br/>och rad</p>')
        == "Läs beslutet & protokollet.\nTvå stycken\noch rad"
    )
    assert plain_text("3 < 5 men 7 > 6") == "3 < 5 men 7 > 6"
