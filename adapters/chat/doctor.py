"""What `earshot doctor` reports: findings from a platform's own checks, each with the fix when something is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's result: ``ok`` or not, what was found, and (when not ok) exactly what to do."""

    ok: bool
    text: str
    fix: str = ""

    def line(self) -> str:
        """The finding as one or two lines of output."""
        head = f"{'ok ' if self.ok else 'FIX'}  {self.text}"
        return head + (f"\n     -> {self.fix}" if self.fix else "")
