"""The storage port's size: methods per capability Protocol, and which capabilities each core service asks for.

Counts the async methods each Protocol in ``earshot.bot.ports.storage`` defines itself (``Unit`` is their
composition), then the capabilities behind each service's ``StoreOf[...]`` and how many methods that gives it.

    python benchmarks/port_sizes.py
"""

from __future__ import annotations

import inspect

from earshot.bot.actions import chat_actions, topics_and_feeds
from earshot.bot.delivering import context, digest
from earshot.bot.finding import explain, polling
from earshot.bot.followup import participation_checks, reports, stale_claims
from earshot.bot.ports import storage
from earshot.bot.ports.storage import Claiming, Retention


def own_methods(protocol: type) -> list[str]:
    """The async methods ``protocol`` defines itself."""
    return [name for name, value in vars(protocol).items() if inspect.iscoroutinefunction(value)]


def capabilities(protocol: type) -> list[type]:
    """The capability Protocols ``protocol`` is made of (itself, when it is one)."""
    if protocol in storage.CAPABILITIES:
        return [protocol]
    return [base for base in protocol.__mro__ if base in storage.CAPABILITIES]


def main() -> None:
    """Print the table."""
    total = 0
    print(f"{'capability':<12} {'module':<36} methods")
    for protocol in storage.CAPABILITIES:
        count = len(own_methods(protocol))
        total += count
        print(f"{protocol.__name__:<12} {protocol.__module__:<36} {count}")
    print(f"{'Unit':<12} {'(all of them)':<36} {total} in {len(storage.CAPABILITIES)} Protocols")
    print()
    services = {
        "earshot.bot.finding.polling.Poller": polling.PollUnit,
        "earshot.bot.delivering.outbox.Deliverer, digest": digest.OutboxUnit,
        "earshot.bot.delivering.context.Contextualiser": context.ContextUnit,
        "earshot.bot.actions.claims.Claims": Claiming,
        "earshot.bot.followup.participation_checks.ParticipationChecker": participation_checks.CheckUnit,
        "earshot.bot.followup.stale_claims.ClaimSweeper": stale_claims.SweepUnit,
        "earshot.bot.followup.retention.Pruner": Retention,
        "earshot.bot.followup.reports.WeeklyReporter": reports.ReportUnit,
        "earshot.bot.finding.explain.Explainer": explain.ExplainUnit,
        "earshot.bot.actions.topics_and_feeds.TopicsAndFeeds": topics_and_feeds.CatalogUnit,
        "earshot.bot.actions.chat_actions.ChatActions": chat_actions.DeskUnit,
    }
    print(f"{'service':<64} {'methods':>7}  capabilities")
    for name, unit in services.items():
        parts = capabilities(unit)
        count = sum(len(own_methods(p)) for p in parts)
        print(f"{name:<64} {count:>7}  {', '.join(p.__name__ for p in parts)}")


if __name__ == "__main__":
    main()
