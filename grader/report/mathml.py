"""LaTeX → MathML for reports, sanitised.

Browsers render MathML natively, so reports need no script and no network. The converter's
output is re-built from an allow-list of MathML elements and attributes, because it passes
`\\text{...}` content through unescaped (a student's `\\text{<script>}` must stay text).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from markupsafe import Markup, escape

MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "semantics", "annotation", "mfenced", "merror", "mlabeledtr",
}
MATHML_ATTRS = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "columnalign", "rowspacing", "columnspacing", "width", "height", "depth",
    "linethickness", "displaystyle", "scriptlevel", "open", "close", "separators", "notation",
    "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "form", "columnlines", "rowlines",
    "frame", "rowalign", "encoding", "xmlns",
}
MAX_SOURCE = 20_000
NS = "{http://www.w3.org/1998/Math/MathML}"


def _clean(el: ET.Element) -> ET.Element | None:
    tag = el.tag.removeprefix(NS)
    if tag not in MATHML_TAGS:
        return None
    out = ET.Element(tag, {k: v for k, v in el.attrib.items() if k in MATHML_ATTRS})
    out.text = el.text
    for child in el:
        c = _clean(child)
        if c is not None:
            out.append(c)
            c.tail = child.tail
        else:  # keep the dropped element's text as text, never as markup
            txt = "".join(child.itertext()) + (child.tail or "")
            if len(out):
                out[-1].tail = (out[-1].tail or "") + txt
            else:
                out.text = (out.text or "") + txt
    return out


@lru_cache(maxsize=4096)  # a class writes the same answers over and over; conversion dominates render time
def latex_to_mathml(latex: str, display: bool = True) -> Markup:
    """Safe MathML for `latex`, or the escaped source in <code> when it cannot be converted."""
    if len(latex) > MAX_SOURCE:
        return Markup('<code class="raw-math">') + escape(latex[:200] + " …") + Markup("</code>")
    try:
        from latex2mathml.converter import convert

        raw = convert(latex, display="block" if display else "inline")
        tree = ET.fromstring(raw)
    except Exception:  # the converter raises many types on odd input; fall back to source
        return Markup('<code class="raw-math">') + escape(latex) + Markup("</code>")
    clean = _clean(tree)
    if clean is None:
        return Markup('<code class="raw-math">') + escape(latex) + Markup("</code>")
    clean.set("xmlns", "http://www.w3.org/1998/Math/MathML")
    clean.set("display", "block" if display else "inline")
    return Markup(ET.tostring(clean, encoding="unicode", method="xml"))
