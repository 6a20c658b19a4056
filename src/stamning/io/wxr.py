"""WordPress exports (WXR, ``.xml``): every approved comment becomes a row.

Columns: ``id`` (the comment id), ``omgång`` (the post's title: each post is a round; use
``--group-column omgång --round-column månad`` for posts within months), ``datum``, ``månad``,
``inlägg_id``, ``svar_på`` (the parent comment's id) and ``text``. Authors' names, e-mail and IP
addresses are not read. Spam, trashed, pending comments and pingbacks/trackbacks are left out and
counted (:class:`WxrCounts`); the count is logged so no comment disappears silently.

The XML is parsed with the standard library's expat parser with any DOCTYPE refused, so no entity is
declared, expanded or fetched (no billion laughs, no external entities)."""

from __future__ import annotations

import html
import logging
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import pandas as pd

from stamning.errors import InputError

log = logging.getLogger("stamning.sources")
WP_NAMESPACE = "http://wordpress.org/export/"
LEFT_OUT = {
    "spam": "skräppost",
    "trash": "papperskorgen",
    "0": "väntar på granskning",
    "pingback": "pingback",
    "trackback": "trackback",
}
_BREAK = re.compile(r"<\s*(br|/p)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
COLUMNS = ("id", "omgång", "datum", "månad", "inlägg_id", "svar_på", "text")


@dataclass
class WxrCounts:
    posts: int = 0
    approved: int = 0
    left_out: Counter = field(default_factory=Counter)  # reason (Swedish) -> comments

    def sentence(self, name: str) -> str:
        out = f"{name}: {self.approved} godkända kommentarer från {self.posts} inlägg"
        if self.left_out:
            out += "; utelämnade: " + ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items()))
        return out + "."


def plain_text(content: str) -> str:
    """A comment's text without the HTML WordPress allows in comments (links, <p>, <br>, entities)."""
    text = _BREAK.sub("\n", content)
    return html.unescape(_TAG.sub("", text)).strip()


def _refuse_doctype(*_args) -> None:
    raise InputError(
        "WordPress-exporten har en DOCTYPE (kan deklarera entiteter); stamning läser den inte av "
        "säkerhetsskäl: exportera igen från WordPress (Verktyg → Exportera)"
    )


def _tag(name: str) -> str:
    return "{" + name if "}" in name else name  # expat gives 'uri}local'; ElementTree wants '{uri}local'


def _parse(path: Path) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = lambda name, attrs: builder.start(_tag(name), {_tag(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda name: builder.end(_tag(name))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as err:
        raise InputError(
            f"{path.name}: ogiltig XML på rad {err.lineno}, kolumn {err.offset}; exportera igen från "
            "WordPress eller rätta filen"
        ) from None
    return builder.close()


def _namespace(root: ET.Element, path: Path) -> str:
    for elem in root.iter():
        if elem.tag.startswith("{" + WP_NAMESPACE):
            return elem.tag[1:].split("}", 1)[0]
    raise InputError(
        f"{path.name}: inte en WordPress-export (WXR; inga wp:-element); exportera från WordPress "
        "under Verktyg → Exportera, eller spara kommentarerna som .csv"
    )


def _status(comment: ET.Element, wp: str) -> str | None:
    """Why the comment is left out (a key of LEFT_OUT, or 'status X'), or None when it is kept."""
    kind = (comment.findtext(f"{{{wp}}}comment_type") or "").strip().lower()
    if kind in ("pingback", "trackback"):
        return kind
    approved = (comment.findtext(f"{{{wp}}}comment_approved") or "").strip().lower()
    if approved in ("1", "approve", "approved"):
        return None
    return approved if approved in LEFT_OUT else f"status {approved or '(saknas)'}"


def read_wxr(path: str | Path) -> tuple[pd.DataFrame, WxrCounts]:
    """The approved comments of a WXR file (one row each, in file order) and what was left out."""
    p = Path(path)
    root = _parse(p)
    wp = _namespace(root, p)
    counts, rows = WxrCounts(), []
    for item in root.iter("item"):
        comments = item.findall(f"{{{wp}}}comment")
        if not comments and (item.findtext(f"{{{wp}}}post_type") or "post") == "attachment":
            continue
        counts.posts += 1
        title = (item.findtext("title") or "").strip() or f"(inlägg {item.findtext(f'{{{wp}}}post_id') or '?'})"
        for comment in comments:
            why = _status(comment, wp)
            if why is not None:
                counts.left_out[LEFT_OUT.get(why, why)] += 1
                continue
            date = (comment.findtext(f"{{{wp}}}comment_date") or "").strip()
            parent = (comment.findtext(f"{{{wp}}}comment_parent") or "").strip()
            rows.append(
                {
                    "id": (comment.findtext(f"{{{wp}}}comment_id") or "").strip() or None,
                    "omgång": title,
                    "datum": date,
                    "månad": date[:7],
                    "inlägg_id": (item.findtext(f"{{{wp}}}post_id") or "").strip(),
                    "svar_på": "" if parent in ("", "0") else parent,
                    "text": plain_text(comment.findtext(f"{{{wp}}}comment_content") or ""),
                }
            )
            counts.approved += 1
    log.warning(counts.sentence(p.name))
    if not rows:
        raise InputError(
            f"{p.name}: inga godkända kommentarer att läsa ({counts.sentence(p.name)}); godkänn "
            "kommentarer i WordPress eller exportera en annan webbplats"
        )
    return pd.DataFrame(rows, columns=list(COLUMNS)), counts
