"""Reddit payloads we wrote in the API's real shapes: t3 posts, t1 comments, comment trees, and a thread's Atom.

Field names, nesting and types follow what Reddit's OAuth API and ``.rss`` pages answer; the people, titles and
texts are ours. Ids are base 36 and grow over time, so every listing here is newest first with falling ids.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from typing import Any

SUBREDDIT_ID = "t5_2t7kqm"
SUBSCRIBERS = 1_284_093
FIRST_POST = int("1qa0000", 36)  # seven-character ids, as today's posts have
FIRST_COMMENT = int("nzk0000", 36)
NEWEST = 1_700_000_000  # created_utc of the newest post and comment of a listing

AUTHORS = ("quiet_maple", "tern_and_gull", "Lars_Holm", "pixel-otter", "notabotreally", "kettle_drum", "Ama_Osei")
QUESTIONS = (
    ("What hobby did you pick up this year that stuck?", ""),
    ("Teachers, what is a small change that made your classroom calmer?", ""),
    ("What's a skill you learned from a grandparent?", "Mine taught me to sharpen a knife on a stone."),
    ("Which city surprised you the most when you visited it?", ""),
    ("What's the best advice you got at your first job?", ""),
    ("People who switched careers after 40, how did it go?", "Thinking about it and a little scared."),
    ("What food do you refuse to buy the cheap version of?", ""),
    ("What's a book you reread every few years?", ""),
)
REPLIES = (
    "Honestly, just walking every evening. It started as a habit and now I miss it when I skip a day.",
    "A timer on the board. When they can see the minutes, they stop asking how long is left.",
    "Bread. My grandmother never measured anything and it still came out right.",
    "Lisbon. I expected nice views, not that every street would be a hill workout.",
    "Write things down. Nobody remembers what was agreed in a meeting a week later.",
)


def b36(number: int) -> str:
    """A Reddit id for ``number`` (base 36, lower case)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def slug(title: str) -> str:
    """The permalink slug Reddit makes of a title: lower case words joined by underscores, cut short."""
    return "_".join(re.findall(r"[a-z0-9]+", title.lower()))[:50].rstrip("_")


def _md(text: str) -> str:
    return f'<div class="md"><p>{escape(text)}</p>\n</div>'


def post(
    number: int,
    title: str,
    *,
    author: str = "quiet_maple",
    created: float = NEWEST,
    selftext: str = "",
    num_comments: int = 0,
    score: int = 1,
    subreddit: str = "AskReddit",
    link: str | None = None,
) -> dict[str, Any]:
    """A t3 child as listings carry it; a self post unless ``link`` is given."""
    post_id = b36(number)
    permalink = f"/r/{subreddit}/comments/{post_id}/{slug(title)}/"
    is_self = link is None
    return {
        "kind": "t3",
        "data": {
            "approved_at_utc": None,
            "subreddit": subreddit,
            "selftext": selftext,
            "author_fullname": f"t2_{b36(number * 7 + 11)}",
            "saved": False,
            "gilded": 0,
            "clicked": False,
            "title": title,
            "link_flair_richtext": [],
            "subreddit_name_prefixed": f"r/{subreddit}",
            "hidden": False,
            "downs": 0,
            "hide_score": score < 5,
            "name": f"t3_{post_id}",
            "quarantine": False,
            "upvote_ratio": 1.0,
            "subreddit_type": "public",
            "ups": score,
            "total_awards_received": 0,
            "media_embed": {},
            "is_original_content": False,
            "user_reports": [],
            "secure_media": None,
            "category": None,
            "link_flair_text": None,
            "score": score,
            "thumbnail": "self" if is_self else "default",
            "edited": False,
            "gildings": {},
            "is_self": is_self,
            "created": created,
            "removed_by_category": None,
            "domain": f"self.{subreddit}" if is_self else re.sub(r"^https?://([^/]+).*", r"\1", link or ""),
            "selftext_html": f"<!-- SC_OFF -->{_md(selftext)}<!-- SC_ON -->" if selftext else None,
            "likes": None,
            "archived": False,
            "no_follow": True,
            "pinned": False,
            "over_18": False,
            "all_awardings": [],
            "locked": False,
            "author_flair_text": None,
            "distinguished": None,
            "subreddit_id": SUBREDDIT_ID,
            "id": post_id,
            "author": author,
            "num_comments": num_comments,
            "send_replies": True,
            "permalink": permalink,
            "stickied": False,
            "url": f"https://www.reddit.com{permalink}" if is_self else link,
            "subreddit_subscribers": SUBSCRIBERS,
            "created_utc": created,
            "num_crossposts": 0,
            "media": None,
            "is_video": False,
        },
    }


def comment(
    number: int,
    body: str,
    *,
    on: dict[str, Any],
    parent: str | None = None,
    author: str = "tern_and_gull",
    created: float = NEWEST,
    depth: int | None = None,
    replies: list[dict[str, Any]] | None = None,
    score: int = 1,
) -> dict[str, Any]:
    """A t1 child on the post ``on`` (a :func:`post`), replying to ``parent`` (a fullname) or to the post."""
    link = on["data"]
    comment_id = b36(number)
    data: dict[str, Any] = {
        "subreddit_id": link["subreddit_id"],
        "approved_at_utc": None,
        "author_is_blocked": False,
        "comment_type": None,
        "link_title": link["title"],
        "ups": score,
        "total_awards_received": 0,
        "subreddit": link["subreddit"],
        "link_author": link["author"],
        "likes": None,
        "replies": {"kind": "Listing", "data": _page(replies)} if replies else "",
        "user_reports": [],
        "saved": False,
        "id": comment_id,
        "gilded": 0,
        "archived": False,
        "no_follow": True,
        "author": author,
        "num_comments": link["num_comments"],
        "send_replies": True,
        "parent_id": parent or link["name"],
        "score": score,
        "author_fullname": f"t2_{b36(number * 3 + 5)}",
        "over_18": False,
        "controversiality": 0,
        "body": body,
        "edited": False,
        "downs": 0,
        "is_submitter": author == link["author"],
        "collapsed": False,
        "author_flair_richtext": [],
        "body_html": _md(body),
        "gildings": {},
        "distinguished": None,
        "stickied": False,
        "can_gild": True,
        "link_id": link["name"],
        "score_hidden": score < 5,
        "permalink": f"{link['permalink']}{comment_id}/",
        "subreddit_type": "public",
        "link_permalink": f"https://www.reddit.com{link['permalink']}",
        "name": f"t1_{comment_id}",
        "subreddit_name_prefixed": link["subreddit_name_prefixed"],
        "author_flair_text": None,
        "created": created,
        "created_utc": created,
        "all_awardings": [],
        "locked": False,
        "quarantine": False,
        "link_url": link["url"],
    }
    if depth is not None:  # only comments inside a thread carry their depth
        data["depth"] = depth
    return {"kind": "t1", "data": data}


def _page(children: list[dict[str, Any]] | None) -> dict[str, Any]:
    items = children or []
    return {"after": None, "dist": None, "modhash": None, "geo_filter": "", "children": items, "before": None}


def new_posts(count: int = 100, *, subreddit: str = "AskReddit") -> list[dict[str, Any]]:
    """``count`` posts as ``/r/<sub>/new`` lists them: newest first, a minute apart, ids falling."""
    out = []
    for i in range(count):
        title, text = QUESTIONS[i % len(QUESTIONS)]
        out.append(
            post(
                FIRST_POST + count - i,
                title if i < len(QUESTIONS) else f"{title} ({i // len(QUESTIONS)})",
                author=AUTHORS[i % len(AUTHORS)],
                created=NEWEST - 60 * i,
                selftext=text,
                num_comments=(i * 3) % 17,
                score=1 + (i * 5) % 9,
                subreddit=subreddit,
            )
        )
    return out


def comment_stream(count: int = 100) -> list[dict[str, Any]]:
    """``count`` comments as ``/r/<sub>/comments`` lists them: newest first, on the first posts of new_posts()."""
    on = new_posts()
    return [
        comment(
            FIRST_COMMENT + count - i,
            REPLIES[i % len(REPLIES)],
            on=on[i % len(REPLIES)],
            author=AUTHORS[(i + 3) % len(AUTHORS)],
            created=NEWEST - 20 * i,
        )
        for i in range(count)
    ]


def search_results() -> list[dict[str, Any]]:
    """Posts found by a site-wide search, some naming PRAW in the title and some only in the text, newest first."""
    titles = (
        ("How do I stream new comments with PRAW without missing any?", "learnpython", ""),
        ("PRAW 7 rate limits: what does the header mean?", "redditdev", ""),
        ("Bot idea: summarise long threads", "redditdev", "Would use praw for this, any pitfalls?"),
        ("Migrating my old praw script to asyncpraw", "Python", ""),
        ("What library do you use for the Reddit API?", "learnpython", "praw or plain requests?"),
    )
    return [
        post(FIRST_POST + 900 - i, title, subreddit=sub, selftext=text, created=NEWEST - 3600 * i, num_comments=4)
        for i, (title, sub, text) in enumerate(titles)
    ]


def thread_body(top: dict[str, Any], comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``/comments/<id>`` answers: the post's listing, then the comment tree's."""
    return [{"kind": "Listing", "data": _page([top])}, {"kind": "Listing", "data": _page(comments)}]


def nested_thread(*, chains: int = 19, depth: int = 6) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A link post whose tree is ``chains`` top-level comments, each the head of a reply chain ``depth`` deep.

    The third chain's head was deleted by its author (its replies stay). Reddit counts more comments than the tree
    carries (``num_comments``), as it does when it leaves some out.
    """
    top = post(
        FIRST_POST + 5000,
        "Found this old map of our town in the attic",
        author="Lars_Holm",
        subreddit="pics",
        link="https://i.redd.it/k3v9attic0map.jpeg",
        num_comments=chains * depth + 54,
        score=18_342,
    )
    tree = []
    for c in range(chains):
        node: dict[str, Any] | None = None
        for level in reversed(range(depth)):
            number = FIRST_COMMENT + 10_000 + c * depth + level
            parent = f"t1_{b36(number - 1)}" if level else None
            text = f"Chain {c}, level {level}: the river used to run where the market is now."
            node = comment(
                number,
                text,
                on=top,
                parent=parent,
                author=AUTHORS[(c + level) % len(AUTHORS)],
                created=NEWEST + 60 * (c + level),
                depth=level,
                replies=[node] if node else None,
            )
        assert node is not None
        if c == 2:
            node["data"].update(author="[deleted]", body="[deleted]", body_html=_md("[deleted]"))
        tree.append(node)
    return top, tree


def selfpost_thread() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A self post with two top-level comments, the first with two replies and one reply to a reply."""
    top = post(
        FIRST_POST + 6000,
        "Is there a way to get a comment's replies without the whole thread?",
        author="pixel-otter",
        subreddit="redditdev",
        selftext="I only need the replies under one comment. Fetching the whole tree each time is slow.",
        num_comments=5,
    )
    first = FIRST_COMMENT + 20_000
    deep = comment(first + 4, "Thanks, that works.", on=top, parent=f"t1_{b36(first + 1)}", depth=2)
    replies = [
        comment(
            first + 1,
            "Pass comment=<id> to /comments/<post>.",
            on=top,
            parent=f"t1_{b36(first)}",
            depth=1,
            replies=[deep],
        ),
        comment(first + 2, "And context=0 keeps the parents out.", on=top, parent=f"t1_{b36(first)}", depth=1),
    ]
    return top, [
        comment(first, "Yes: ask for the comment itself.", on=top, author="kettle_drum", depth=0, replies=replies),
        comment(first + 3, "The API docs list it under listings.", on=top, author="Ama_Osei", depth=0),
    ]


def thread_atom(top: dict[str, Any], comments: list[tuple[str | None, str]]) -> bytes:
    """A thread's ``<permalink>/.rss`` as Reddit serves it: the post, then each (author or None, text) comment.

    A comment by a deleted account has no ``<author>`` element, as on Reddit.
    """
    data = top["data"]
    link = "https://www.reddit.com" + data["permalink"]
    sub = data["subreddit"]
    when = datetime.fromtimestamp(data["created_utc"], UTC).isoformat()
    category = f'<category term="{sub}" label="r/{sub}" />'
    body = f"<!-- SC_OFF -->{_md(data['selftext'])}<!-- SC_ON -->"
    submitted = (
        f'{body} &#32; submitted by &#32; <a href="https://www.reddit.com/user/{data["author"]}"> /u/{data["author"]} '
        f'</a> <br/> <span><a href="{data["url"]}">[link]</a></span> &#32; <span><a href="{link}">[comments]</a></span>'
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:media="http://search.yahoo.com/mrss/">{category}<updated>{when}</updated>'
        f'<id>{data["permalink"]}.rss</id><link rel="self" href="{link}.rss" type="application/atom+xml" />'
        f'<link rel="alternate" href="{link}" type="text/html" /><title>{escape(data["title"])} : {sub}</title>',
        f'<entry>{_author(data["author"])}{category}<content type="html">{escape(submitted)}</content>'
        f'<id>{data["name"]}</id><link href="{link}" /><updated>{when}</updated><published>{when}</published>'
        f"<title>{escape(data['title'])}</title></entry>",
    ]
    for n, (author, text) in enumerate(comments):
        comment_id = b36(FIRST_COMMENT + 30_000 + n)
        at = datetime.fromtimestamp(data["created_utc"] + 90 * (n + 1), UTC).isoformat()
        content = escape(f"<!-- SC_OFF -->{_md(text)}<!-- SC_ON -->")
        title = f"/u/{author} on {data['title']}" if author else f"[deleted] on {data['title']}"
        parts.append(
            f'<entry>{_author(author)}{category}<content type="html">{content}</content><id>t1_{comment_id}</id>'
            f'<link href="{link}{comment_id}/"/><updated>{at}</updated><title>{escape(title)}</title></entry>'
        )
    parts.append("</feed>")
    return "".join(parts).encode()


def _author(name: str | None) -> str:
    if name is None:
        return ""
    return f"<author><name>/u/{name}</name><uri>https://www.reddit.com/user/{name}</uri></author>"
