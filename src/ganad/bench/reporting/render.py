"""Markdown and self-contained HTML (figures embedded as base64 PNG) of a report's sections."""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

from .document import Section, Table

__all__ = ["render_html", "render_markdown"]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_md_escape(h) for h in t.header) + " |",
        "|" + "---|" * len(t.header),
    ]
    lines += ["| " + " | ".join(_md_escape(text) for text, _ in row) + " |" for row in t.rows]
    return [*lines, ""]


def render_markdown(title: str, intro: list[str], sections: list[Section], out_dir: Path) -> str:
    """The report as Markdown; image links are relative to `out_dir`.

    Parameters
    ----------
    title : str
        The report title (the `#` heading).
    intro : list of str
        Paragraphs before the first section.
    sections : list of Section
        The sections.
    out_dir : pathlib.Path
        Where the Markdown file goes (image paths are made relative to it).

    Returns
    -------
    str
        The Markdown text.
    """
    lines = [f"# {title}", ""]
    lines += [p + "\n" for p in intro]
    for sec in sections:
        lines += ["#" * sec.level + " " + sec.title, ""]
        for p in sec.paragraphs:
            lines += [p, ""]
        for t in sec.tables:
            lines += _md_table(t)
        for caption, path in sec.images:
            lines += [f"![{caption}]({os.path.relpath(path, out_dir)})", ""]
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
  max-width:1400px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.within{background:#eef7ee} td.better{background:#dff0ff} td.below{background:#fde8e8}
td.mean{font-weight:600}
img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}
code{background:#f5f5f5;padding:1px 4px}
.legend{font-size:13px;color:#555}
"""


def _html_table(t: Table) -> list[str]:
    e = html.escape
    parts = [
        "<table><thead><tr>"
        + "".join(f"<th>{e(h)}</th>" for h in t.header)
        + "</tr></thead><tbody>"
    ]
    for row in t.rows:
        parts.append(
            "<tr>"
            + "".join(
                f'<td class="{e(c)}">{e(text)}</td>' if c else f"<td>{e(text)}</td>"
                for text, c in row
            )
            + "</tr>"
        )
    parts.append("</tbody></table>")
    return parts


def _html_figure(caption: str, path: Path) -> str:
    e = html.escape
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return (
        f'<figure><img alt="{e(caption)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{e(caption)}</figcaption></figure>'
    )


def render_html(title: str, intro: list[str], sections: list[Section]) -> str:
    """The report as one HTML page, its figures embedded.

    Parameters
    ----------
    title : str
        The page title and `<h1>`.
    intro : list of str
        Paragraphs before the first section.
    sections : list of Section
        The sections (their images are read and embedded as base64 PNG).

    Returns
    -------
    str
        The HTML text.
    """
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    parts += [f'<p class="legend">{e(p)}</p>' for p in intro]
    for sec in sections:
        tag = f"h{sec.level}"
        parts.append(f"<{tag}>{e(sec.title)}</{tag}>")
        parts += [f"<p>{e(p)}</p>" for p in sec.paragraphs]
        for t in sec.tables:
            parts += _html_table(t)
        parts += [_html_figure(caption, path) for caption, path in sec.images]
    parts.append("</body></html>")
    return "\n".join(parts)
