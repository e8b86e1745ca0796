"""The claimer's briefing as a Discord message: every quoted part of the thread neutralised, links built by us."""

from __future__ import annotations

from earshot.bot.guest.briefing import Briefing

from .render import cut, link, neutralise, one_line

MESSAGE_LIMIT = 2000  # characters of a Discord message


def briefing_message(b: Briefing) -> str:
    """The briefing as markdown within one message, built only from neutralised parts and vetted links."""
    lines = [f"**Your briefing** for {link(b.title, b.url, 150)}", f"**Asked:** {one_line(b.asked, 200)}"]
    lines.append(f"**Thread:** {neutralise(b.pace)}")
    for part, said in b.situation.parts():
        lines.append(f"**Their {part}:** " + " / ".join(f"*{one_line(s, 200)}*" for s in said))
    if b.said:
        lines.append("**Said so far:** " + " / ".join(one_line(s, 200) for s in b.said))
    if b.unanswered:
        lines.append("**Still open:** " + " / ".join(one_line(s, 200) for s in b.unanswered))
    for card in b.rules:
        quoted = f"“{one_line(card.text, 300)}”" if card.quoted else f"{one_line(card.text, 300)} (paraphrase)"
        lines.append(f"**Rule:** {link(card.title, card.url, 120)}: {quoted}")
    if b.earlier:
        lines.append("**Team replied here before:** " + ", ".join(link(e.title, e.url, 80) for e in b.earlier))
    if b.warning:
        lines.append(f"\N{SEEDLING} {neutralise(b.warning)}")
    lines.extend(f"*{one_line(note, 300)}*" for note in b.notes)
    return cut("\n".join(lines), MESSAGE_LIMIT)
