"""Small pages of the eight JSON sources in their real shapes (written after the recorded answers in
``../shared/fixtures``), three items each, for the mutated-payload properties. Item 0 is the one mutated."""

from __future__ import annotations

from typing import Any

T = 1_700_000_000  # 2023-11-14T22:13:20Z
ISO = "2023-11-14T22:13:20.000Z"


def hn_hit(n: int, *, comment: bool = False) -> dict[str, Any]:
    """An Algolia ``search_by_date`` hit: a story, or a comment on one."""
    hit: dict[str, Any] = {
        "objectID": str(38_000_000 + n),
        "author": f"user{n}",
        "created_at": ISO,
        "created_at_i": T - n,
        "updated_at": ISO,
        "story_id": 38_000_000 + n,
        "points": 12,
        "num_comments": 3,
        "_tags": ["story", f"author_user{n}", f"story_{38_000_000 + n}"],
        "_highlightResult": {"title": {"value": "Rust <em>news</em>", "matchLevel": "full", "matchedWords": ["x"]}},
    }
    if comment:
        hit.update(
            comment_text="<p>I think <i>so</i>.</p>",
            story_title="Show HN: a thing",
            story_url="https://example.com/thing",
            parent_id=37_999_999,
            points=None,
            num_comments=None,
            _tags=["comment", f"author_user{n}", "story_37999999"],
        )
    else:
        hit.update(title=f"Story {n} about Rust", url=f"https://example.com/{n}", story_text=None)
    return hit


def hn_page(first: dict[str, Any]) -> dict[str, Any]:
    """A page of hits, ``first`` then two more."""
    return {
        "hits": [first, hn_hit(2), hn_hit(3, comment=True)],
        "nbHits": 3,
        "page": 0,
        "nbPages": 1,
        "hitsPerPage": 100,
        "exhaustiveNbHits": True,
        "query": "",
        "params": "query=&tags=story",
        "processingTimeMS": 1,
    }


def hn_thread() -> dict[str, Any]:
    """An Algolia ``items/<id>``: a story with a nested comment and two top-level ones."""

    def child(n: int, parent: int, kids: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": n,
            "created_at": ISO,
            "created_at_i": T + n % 100,
            "type": "comment",
            "author": f"user{n}",
            "title": None,
            "url": None,
            "text": f"<p>Reply {n}</p>",
            "points": None,
            "parent_id": parent,
            "story_id": 100,
            "children": kids,
            "options": [],
        }

    return {
        "id": 100,
        "created_at": ISO,
        "created_at_i": T,
        "type": "story",
        "author": "op",
        "title": "A story",
        "url": "https://example.com/a",
        "text": None,
        "points": 40,
        "parent_id": None,
        "story_id": 100,
        "options": [],
        "children": [child(101, 100, [child(111, 101, [])]), child(102, 100, []), child(103, 100, [])],
    }


def _se_owner(n: int) -> dict[str, Any]:
    return {
        "account_id": 9000 + n,
        "reputation": 101,
        "user_id": 8000 + n,
        "user_type": "registered",
        "profile_image": "https://www.gravatar.com/avatar/x?s=256&d=identicon&r=PG",
        "display_name": f"Dominik.W &amp; {n}",
        "link": f"https://stackoverflow.com/users/{8000 + n}/dominik-w",
    }


def se_question(n: int) -> dict[str, Any]:
    """A question of ``/questions?filter=withbody``."""
    qid = 77_635_500 + n
    return {
        "tags": ["kubernetes", "nginx-ingress"],
        "owner": _se_owner(n),
        "is_answered": False,
        "view_count": 12,
        "answer_count": 1,
        "score": 2,
        "last_activity_date": T - n,
        "creation_date": T - n,
        "question_id": qid,
        "content_license": "CC BY-SA 4.0",
        "link": f"https://stackoverflow.com/questions/{qid}/kubernetes-ingress",
        "title": f"Kubernetes Ingress behind a Load Balancer &#39;{n}&#39;",
        "body": "<p>When using an Ingress Controller in <code>Kubernetes</code>...</p>",
    }


def se_answer(n: int, question_id: int = 77_635_501) -> dict[str, Any]:
    """An answer of ``/questions/<id>/answers?filter=withbody``."""
    return {
        "owner": _se_owner(n),
        "is_accepted": False,
        "score": 1,
        "last_activity_date": T + n,
        "creation_date": T + n,
        "answer_id": 77_700_000 + n,
        "question_id": question_id,
        "content_license": "CC BY-SA 4.0",
        "body": f"<p>Answer {n}: set <code>externalTrafficPolicy</code>.</p>",
    }


def se_page(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's wrapper."""
    return {"items": items, "has_more": False, "quota_max": 300, "quota_remaining": 290, "backoff": 10}


def gh_issue(n: int) -> dict[str, Any]:
    """An item of ``/search/issues`` (with the text+json media type: body_text)."""
    api = "https://api.github.com/repos/octo/widgets"
    return {
        "url": f"{api}/issues/{n}",
        "repository_url": api,
        "labels_url": f"{api}/issues/{n}/labels{{/name}}",
        "html_url": f"https://github.com/octo/widgets/issues/{n}",
        "id": 2_000_000_000 + n,
        "node_id": f"I_kwDOA{n}",
        "number": n,
        "title": f"Crash {n} when the config is empty",
        "user": {"login": f"user{n}", "id": 100 + n, "type": "User", "site_admin": False},
        "labels": [{"id": 1, "name": "bug", "color": "d73a4a", "default": True}],
        "state": "open",
        "locked": False,
        "assignee": None,
        "milestone": None,
        "comments": 2,
        "created_at": f"2023-11-14T22:13:{20 - n:02d}Z",
        "updated_at": "2023-11-14T22:13:20Z",
        "closed_at": None,
        "author_association": "NONE",
        "body": "It **crashes**.",
        "body_text": "It crashes.",
        "reactions": {"url": f"{api}/issues/{n}/reactions", "total_count": 3, "+1": 3, "-1": 0},
        "score": 1.0,
    }


def gh_comment(n: int) -> dict[str, Any]:
    """An item of ``/repos/o/r/issues/<n>/comments``."""
    return {
        "id": 1_800_000_000 + n,
        "html_url": f"https://github.com/octo/widgets/issues/1#issuecomment-{1_800_000_000 + n}",
        "user": {"login": f"helper{n}", "id": 7, "type": "User"},
        "created_at": "2023-11-14T22:13:20Z",
        "updated_at": "2023-11-14T22:13:20Z",
        "author_association": "CONTRIBUTOR",
        "body": f"Fixed in #{n}",
        "body_text": f"Fixed in #{n}",
        "reactions": {"total_count": 1, "+1": 1},
    }


def gh_discussion(n: int) -> dict[str, Any]:
    """A Discussion node of the GraphQL search."""
    return {
        "id": f"D_kwDOA{n}",
        "number": n,
        "title": f"How do I {n}?",
        "bodyText": "I tried everything.",
        "url": f"https://github.com/octo/widgets/discussions/{n}",
        "createdAt": f"2023-11-14T22:13:{20 - n:02d}Z",
        "upvoteCount": 2,
        "author": {"login": f"user{n}"},
        "comments": {"totalCount": 1},
        "repository": {"nameWithOwner": "octo/widgets"},
        "category": {"name": "Q&A"},
    }


def discourse_topic(n: int) -> dict[str, Any]:
    """A topic of ``/latest.json``."""
    return {
        "id": 300 + n,
        "title": f"How to run {n} replicas",
        "fancy_title": f"How to run {n} replicas &amp; more",
        "slug": f"how-to-run-{n}",
        "posts_count": 3,
        "reply_count": 1,
        "highest_post_number": 3,
        "image_url": None,
        "created_at": f"2023-11-14T22:13:{20 - n:02d}.000Z",
        "last_posted_at": ISO,
        "bumped": True,
        "bumped_at": ISO,
        "archetype": "regular",
        "unseen": False,
        "pinned": False,
        "unpinned": None,
        "excerpt": "We run Discourse behind a proxy and&hellip;",
        "visible": True,
        "closed": False,
        "archived": False,
        "views": 10,
        "like_count": 2,
        "has_summary": False,
        "last_poster_username": "bob",
        "category_id": 7,
        "pinned_globally": False,
        "posters": [
            {"extras": "latest", "description": "Original Poster, Most Recent Poster", "user_id": 1},
            {"extras": None, "description": "Frequent Poster", "user_id": 2},
        ],
    }


def discourse_page(topics: list[dict[str, Any]]) -> dict[str, Any]:
    """``/latest.json``: users and the topic list."""
    users = [
        {"id": 1, "username": "alice", "name": "Alice", "avatar_template": "/user_avatar/f/alice/{size}/1.png"},
        {"id": 2, "username": "bob", "name": "Bob", "avatar_template": "/user_avatar/f/bob/{size}/2.png"},
    ]
    return {"users": users, "primary_groups": [], "topic_list": {"per_page": 30, "topics": topics}}


def discourse_post(n: int, number: int, *, topic_id: int = 301) -> dict[str, Any]:
    """A post as ``/posts.json`` and ``/t/<id>.json`` list them."""
    return {
        "id": 9000 + n,
        "name": f"User {n}",
        "username": f"user{n}",
        "avatar_template": "/user_avatar/f/u/{size}/3.png",
        "created_at": ISO,
        "cooked": f"<p>Post {n} says <a href='https://example.com'>this</a></p>",
        "post_number": number,
        "post_type": 1,
        "updated_at": ISO,
        "reply_count": 0,
        "reply_to_post_number": None,
        "quote_count": 0,
        "topic_id": topic_id,
        "topic_slug": "how-to-run-1",
        "topic_title": "How to run 1 replicas",
        "topic_html_title": "How to run 1 replicas",
        "category_id": 7,
        "hidden": False,
        "user_deleted": False,
        "deleted_at": None,
        "actions_summary": [{"id": 2, "count": 1}],
    }


def discourse_thread() -> dict[str, Any]:
    """``/t/301.json``: the first post and three replies, all loaded."""
    posts = [discourse_post(1, 1), discourse_post(2, 2), discourse_post(3, 3), discourse_post(4, 4)]
    return {
        "post_stream": {"posts": posts, "stream": [p["id"] for p in posts]},
        "id": 301,
        "title": "How to run 1 replicas",
        "fancy_title": "How to run 1 replicas",
        "posts_count": 4,
        "created_at": ISO,
        "slug": "how-to-run-1",
        "like_count": 3,
    }
