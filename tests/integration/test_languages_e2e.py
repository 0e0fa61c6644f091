"""Non-English outlets through the real CLI: `add` and `check` against pages served on
127.0.0.1 that change between checks, read back from the SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.httpserver import Request, Response, TestServer, text

JA_PARAS = [
    "東京都内の住宅で火災が発生し、12人が死亡した。警察と消防が出火の原因を詳しく調べている。",
    "消防によると、火は約3時間後に消し止められた。近くの住民およそ200人が一時避難した。",
    "現場は駅から北へ約500メートルの住宅街で、付近は一時騒然となった。",
]
DE_PARAS = [
    "Im Hamburger Hafen ist am Montag ein Frachter auf Grund gelaufen. Die Feuerwehr war mit "
    "zahlreichen Kräften im Einsatz.",
    "Nach Angaben der Polizei wurde niemand verletzt. Die Elbe blieb für Schiffe befahrbar.",
    "Die Ursache des Unfalls ist noch unklar, die Ermittlungen dauern an.",
]


def ja_page(paras: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>住宅火災 | 放送</title>'
        "</head><body><main><article><h1>都内の住宅火災で死者</h1>"
        f'<p class="date">2024年3月4日 10時30分</p>{body}</article></main></body></html>'
    )


def de_page(paras: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Frachter auf Grund'
        "</title></head><body><main><article><h1>Frachter im Hamburger Hafen auf Grund gelaufen"
        f"</h1><time>4. März 2024, 10:30 Uhr</time>{body}</article></main></body></html>"
    )


class Pages:
    """Pages by path whose HTML a test replaces between checks."""

    def __init__(self, **pages: str) -> None:
        self.pages = pages

    def handler(self, request: Request) -> Response:
        return text(self.pages[request.path.strip("/")])


def _changes(db: Path) -> list[tuple[list[str], int, str, list[dict]]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT kinds, silent, summary, evidence FROM changes ORDER BY id")
        return [(json.loads(k), s, summary, json.loads(e)) for k, s, summary, e in rows]


@pytest.mark.slow
def test_japanese_and_german_articles_through_check(tmp_path: Path) -> None:
    """A Japanese story: 12人 → 15人 is a silent `numbers` change naming both figures; a
    later edit published with a 訂正 note that speaks about it is `correction_note` and not
    silent. A German story's "4. März 2024, 10:30 Uhr" is stored as UTC ISO 8601."""
    db, config = tmp_path / "m.db", tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    pages = Pages(ja=ja_page(JA_PARAS), de=de_page(DE_PARAS))
    with TestServer({"/ja": pages.handler, "/de": pages.handler}) as server:
        added = run_cli("add", server.url("/ja"), server.url("/de"), db=db, config=config)
        assert added.code == 0, added.stderr
        first = run_cli("check", "--all", db=db, config=config)
        assert first.code == 0, first.stdout + first.stderr

        pages.pages["ja"] = ja_page([JA_PARAS[0].replace("12人", "15人"), *JA_PARAS[1:]])
        second = run_cli("check", "--all", db=db, config=config)
        assert second.code == 0, second.stdout + second.stderr

        note = "訂正：避難した住民を約200人としていましたが、約300人の誤りでした。"
        edited = JA_PARAS[1].replace("200人", "300人")
        pages.pages["ja"] = ja_page([JA_PARAS[0].replace("12人", "15人"), edited, JA_PARAS[2], note])
        third = run_cli("check", "--all", db=db, config=config)
        assert third.code == 0, third.stdout + third.stderr
        assert "Traceback" not in first.stderr + second.stderr + third.stderr

    numbers, corrected = _changes(db)
    kinds, silent, summary, evidence = numbers
    assert (kinds, silent) == (["numbers"], 1)
    assert evidence[0]["text"] == "12人 → 15人"
    assert evidence[0]["new"] == "東京都内の住宅で火災が発生し、15人が死亡した。"  # one sentence
    assert "12人 → 15人" in summary
    kinds, silent, summary, _ = corrected
    assert kinds == ["correction_note", "numbers"] and silent == 0, summary
    with sqlite3.connect(db) as conn:
        published = conn.execute(
            "SELECT published_at FROM versions JOIN articles ON articles.id = versions.article_id"
            " WHERE articles.url LIKE '%/de'"
        ).fetchall()
    assert published == [("2024-03-04T09:30:00Z",)]
