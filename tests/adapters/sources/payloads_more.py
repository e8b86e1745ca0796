"""Pages of Lobsters, Reddit, Mastodon and Bluesky in their real shapes, for the mutated-payload properties (the
other sources are in ``payloads``)."""

from __future__ import annotations

from typing import Any

from tests.adapters.sources.payloads import T


def lobsters_story(n: int) -> dict[str, Any]:
    """A story of ``/newest.json``."""
    sid = f"abc{n:03d}"
    return {
        "short_id": sid,
        "short_id_url": f"https://lobste.rs/s/{sid}",
        "created_at": f"2023-11-14T16:13:{20 - n:02d}.000-06:00",
        "title": f"Story {n}: <details> in HTML",
        "url": f"https://example.com/{n}",
        "score": 5,
        "flags": 0,
        "comment_count": 2,
        "description": "<p>Text</p>",
        "description_plain": "Text",
        "comments_url": f"https://lobste.rs/s/{sid}/story_{n}",
        "submitter_user": f"user{n}",
        "user_is_author": False,
        "tags": ["rust", "web"],
    }


def lobsters_comment(n: int, depth: int = 0) -> dict[str, Any]:
    """A comment as ``/comments.json`` and a story's ``comments`` list them."""
    cid = f"c{n:04d}"
    return {
        "short_id": cid,
        "short_id_url": f"https://lobste.rs/c/{cid}",
        "created_at": f"2023-11-14T16:13:{20 - n:02d}.000-06:00",
        "updated_at": "2023-11-14T16:13:20.000-06:00",
        "is_deleted": False,
        "is_moderated": False,
        "score": 1,
        "flags": 0,
        "parent_comment": None,
        "comment": f"<p>Comment {n}</p>",
        "comment_plain": f"Comment {n}",
        "url": f"https://lobste.rs/s/abc001/story_1#c_{cid}",
        "depth": depth,
        "commenting_user": f"user{n}",
        "story_short_id": "abc001",
        "story_title": "Story 1",
    }


def reddit_post(n: int) -> dict[str, Any]:
    """A t3 child of a listing (``raw_json=1``)."""
    pid = f"1abc{n:02d}"
    return {
        "kind": "t3",
        "data": {
            "subreddit": "rust",
            "selftext": f"Body {n}",
            "selftext_html": f'<div class="md"><p>Body {n}</p></div>',
            "author_fullname": f"t2_{n}",
            "title": f"Post {n} &amp; more",
            "subreddit_name_prefixed": "r/rust",
            "name": f"t3_{pid}",
            "id": pid,
            "score": 5,
            "num_comments": 2,
            "created_utc": float(T - n),
            "permalink": f"/r/rust/comments/{pid}/post_{n}/",
            "url": f"https://www.reddit.com/r/rust/comments/{pid}/post_{n}/",
            "is_self": True,
            "author": f"user{n}",
            "removed_by_category": None,
            "over_18": False,
            "link_flair_text": None,
        },
    }


def reddit_comment(n: int, replies: Any = "") -> dict[str, Any]:
    """A t1 child (a listing's, or a thread's with its ``replies``)."""
    cid = f"k{n:03d}"
    return {
        "kind": "t1",
        "data": {
            "subreddit": "rust",
            "subreddit_name_prefixed": "r/rust",
            "link_title": "Post 1",
            "body": f"Comment {n}",
            "body_html": f'<div class="md"><p>Comment {n}</p></div>',
            "name": f"t1_{cid}",
            "id": cid,
            "link_id": "t3_1abc01",
            "parent_id": "t3_1abc01",
            "author": f"user{n}",
            "score": 1,
            "created_utc": float(T + n),
            "permalink": f"/r/rust/comments/1abc01/post_1/{cid}/",
            "replies": replies,
        },
    }


def reddit_listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    """A Listing."""
    return {"kind": "Listing", "data": {"after": None, "dist": len(children), "children": children, "before": None}}


def mastodon_status(n: int, base: str = "https://mastodon.example", reply_to: str | None = None) -> dict[str, Any]:
    """A status of a timeline, a search or a context."""
    sid = str(111_000_000_000_000_000 + n)
    return {
        "id": sid,
        "created_at": f"2023-11-14T22:13:{20 - n % 20:02d}.000Z",
        "in_reply_to_id": reply_to,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"{base}/users/user{n}/statuses/{sid}",
        "url": f"{base}/@user{n}/{sid}",
        "replies_count": 1,
        "reblogs_count": 0,
        "favourites_count": 3,
        "content": f'<p>Status {n} on <a href="{base}/tags/rust" class="mention hashtag">#<span>rust</span></a></p>',
        "reblog": None,
        "account": {"id": str(n), "username": f"user{n}", "acct": f"user{n}", "display_name": f"User {n}"},
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "rust", "url": f"{base}/tags/rust"}],
        "card": {"url": "https://example.com/article", "title": "An article", "type": "link"},
        "poll": None,
    }


def bluesky_post(n: int) -> dict[str, Any]:
    """A post view of ``app.bsky.feed.searchPosts``."""
    did = f"did:plc:user{n:020d}"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3kabc{n:03d}",
        "cid": f"bafyreib{n:040d}",
        "author": {"did": did, "handle": f"user{n}.bsky.social", "displayName": f"User {n}", "labels": []},
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": f"2023-11-14T22:13:{20 - n % 20:02d}.000Z",
            "langs": ["en"],
            "text": f"Post {n} about https://example.com/x",
            "facets": [
                {
                    "index": {"byteStart": 14, "byteEnd": 35},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}],
                }
            ],
            "embed": {
                "$type": "app.bsky.embed.external",
                "external": {"uri": "https://example.com/x", "title": "X", "description": ""},
            },
        },
        "replyCount": 1,
        "repostCount": 0,
        "likeCount": 2,
        "quoteCount": 0,
        "indexedAt": f"2023-11-14T22:13:{21 - n % 20:02d}.000Z",
        "labels": [],
    }


def bluesky_thread_node(n: int, replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A threadViewPost of ``app.bsky.feed.getPostThread``."""
    return {"$type": "app.bsky.feed.defs#threadViewPost", "post": bluesky_post(n), "replies": replies or []}
