"""Who may change topics and feeds: [slack] admins when set, else the workspace's admins and owners."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from earshot.adapters.chat.slack.members import Members
from tests.fakes.clock import Clock
from tests.fakes.slack import BOT_TOKEN, FakeSlack


def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


async def test_workspace_admins_manage_when_no_admins_are_configured(slack: FakeSlack) -> None:
    members = Members(client(slack), Clock())
    ada, bob = await members.get("U0ADMIN01"), await members.get("U0BOB0001", "bob")
    assert (ada.name, ada.may_manage, ada.moderator) == ("ada", True, True)
    assert (bob.name, bob.may_manage) == ("bob", False)


async def test_configured_admins_replace_the_workspace_roles(slack: FakeSlack) -> None:
    members = Members(client(slack), Clock(), admins=("U0BOB0001",))
    assert (await members.get("U0BOB0001")).may_manage
    assert not (await members.get("U0ADMIN01")).may_manage


async def test_users_info_is_cached_for_a_while(slack: FakeSlack) -> None:
    clock = Clock()
    members = Members(client(slack), clock)
    await members.get("U0ALICE01")
    await members.get("U0ALICE01")
    assert len(slack.called("users.info")) == 1
    clock.advance(timedelta(minutes=11))
    await members.get("U0ALICE01")
    assert len(slack.called("users.info")) == 2


async def test_an_unknown_user_is_a_plain_member_named_as_given(slack: FakeSlack) -> None:
    member = await Members(client(slack), Clock()).get("U0GHOST01", "ghost")
    assert (member.id, member.name, member.may_manage) == ("U0GHOST01", "ghost", False)
