"""Synthetic renderings of real resolutions, for tests: the same real text in another form.

Nothing here is UN text of its own: each function re-renders a parsed real resolution.
"""

from __future__ import annotations

import html

from pipeline.models import Resolution


def to_html(res: Resolution) -> str:
    """A resolution as a page saved from a UN site might hold it (synthetic rendering).

    Masthead lines in a header, italic leads, `<sup>` footnote markers, footnotes after a rule,
    and the navigation, styles and scripts a saved page carries.
    """

    def marked(text: str, marks: tuple[tuple[int, int], ...], lead: str) -> str:
        out, pos = [], 0
        for offset, n in marks:
            out.append(html.escape(text[pos:offset]))
            out.append(f"<sup>{n}</sup>")
            pos = offset
        out.append(html.escape(text[pos:]))
        body = "".join(out)
        escaped_lead = html.escape(lead)
        if lead and body.startswith(escaped_lead):
            body = f"<i>{escaped_lead}</i>{body[len(escaped_lead) :]}"
        return body

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(res.symbol or '')}</title>",
        "<style>p { margin: 0 0 1em } .fn { font-size: small }</style>",
        "<script>window.dataLayer = [];</script></head><body>",
        '<nav><a href="/">Home</a> | <a href="/search">Search</a></nav>',
        "<header><div>United Nations</div>",
        f"<div>{html.escape(res.symbol or '')}</div>",
        "<div>General Assembly</div>",
    ]
    parts += [f"<div>{html.escape(item)}</div>" for item in res.masthead if item != res.symbol]
    parts.append("</header><main><p>The General Assembly,</p>")
    for p in res.paragraphs:
        number = f"{p.number}.&#160;" if p.number is not None else ""
        parts.append(f"<p>{number}{marked(p.text, p.marks, p.lead)}</p>")
    if res.plenary_meeting:
        n = res.plenary_meeting
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        parts.append(f"<p><i>{n}{suffix} plenary meeting<br>{_long(res.adopted)}</i></p>")
    parts.append('</main><hr><section class="footnotes">')
    parts += [
        f'<p class="fn"><sup>{f.number}</sup> {html.escape(f.text)}</p>' for f in res.footnotes
    ]
    parts.append("</section><footer>© United Nations</footer></body></html>")
    return "\n".join(parts) + "\n"


def _long(iso: str | None) -> str:
    if not iso:
        return ""
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"
