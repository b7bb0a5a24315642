"""The agency's own words around a document: introduction, summary, limitations, closing."""


def words_head(s, texts):
    """The agency's introduction, a paragraph a line."""
    for p in (texts.get("intro") or "").split("\n"):
        if p.strip():
            s.text(p.strip())


def words_tail(s, texts, organisation):
    """The agency's summary, limitations and closing; an empty one prints nothing."""
    if (texts.get("summary") or "").strip():
        s.heading("สรุป")
        s.paragraphs(texts["summary"])
    if (texts.get("limitations") or "").strip():
        s.heading("ข้อจำกัดของหน่วยงานในการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
                  f"ของ{organisation['name']}")  # fmt: skip
        s.paragraphs(texts["limitations"])
    if (texts.get("closing") or "").strip():
        s.gap()
        s.paragraphs(texts["closing"])


def words_sheet(new, texts, organisation):
    """ข้อความประกอบ: a document's introduction, summary, limitations and closing, when it has any."""
    if not any((texts.get(k) or "").strip() for k in ("intro", "summary", "limitations", "closing")):
        return
    s = new("ข้อความประกอบ", [16, 16, 16, 16, 16, 16])
    if (texts.get("intro") or "").strip():
        s.heading("บทนำ")
        words_head(s, texts)
    words_tail(s, texts, organisation)
