"""A fake YouTube Data API v3: playlistItems (a channel's uploads), commentThreads by video (order=time), comments
by parent, search, an API key, Google's error bodies (keyInvalid, quotaExceeded, commentsDisabled) and a unit quota.

Resources follow the shapes of the API's recorded answers (commentThreads with ``topLevelComment``, comments with
``parentId``); the quotaExceeded body follows Google's documentation.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.http_server import FakeHttpServer, Reply, Request

API = "/youtube/v3"
KEY = "AIzaSy-test-key-0123456789"
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
COST = {"playlistItems": 1, "commentThreads": 1, "comments": 1, "search": 100}


def comment(
    comment_id: str,
    video_id: str,
    published: str,
    text: str,
    *,
    parent: str | None = None,
    author: str = "Loren Robilio",
    likes: int = 0,
) -> dict[str, Any]:
    """One youtube#comment resource."""
    snippet: dict[str, Any] = {
        "authorDisplayName": author,
        "authorProfileImageUrl": "https://yt3.ggpht.com/a/photo.jpg",
        "authorChannelUrl": "http://www.youtube.com/channel/UCe9i1nJCcevTa6KJa55KYog",
        "authorChannelId": {"value": "UCe9i1nJCcevTa6KJa55KYog"},
        "videoId": video_id,
        "textDisplay": text,
        "textOriginal": text,
        "canRate": True,
        "viewerRating": "none",
        "likeCount": likes,
        "publishedAt": published,
        "updatedAt": published,
    }
    if parent is not None:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "etag": f"etag-{comment_id}", "id": comment_id, "snippet": snippet}


def thread(top: dict[str, Any], replies: int = 0) -> dict[str, Any]:
    """One youtube#commentThread around a top-level comment."""
    return {
        "kind": "youtube#commentThread",
        "etag": f"etag-t-{top['id']}",
        "id": top["id"],
        "snippet": {
            "videoId": top["snippet"]["videoId"],
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": replies,
            "isPublic": True,
        },
    }


def google_error(status: int, reason: str, message: str, domain: str = "youtube.quota") -> Reply:
    """Google's error body."""
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return Reply(status, json.dumps(body), {"Content-Type": "application/json; charset=UTF-8"})


class FakeYouTube:
    """Serves the channel ``CHANNEL``'s uploads (``videos``, newest first) and their comment threads."""

    def __init__(self, server: FakeHttpServer, *, quota: int = 10_000) -> None:
        self.server = server
        self.videos: list[str] = []
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.disabled: set[str] = set()
        self.search_results: list[dict[str, Any]] = []
        self.quota = quota
        self.spent = 0
        for name in COST:
            server.route("GET", f"{API}/{name}", lambda r, name=name: self._serve(name, r))

    @property
    def api_url(self) -> str:
        """What a feed's base_url is set to."""
        return self.server.url(API)

    def calls(self, name: str) -> list[Request]:
        """Requests to one method."""
        return self.server.hits(f"{API}/{name}")

    def _serve(self, name: str, request: Request) -> Reply:
        if request.param("key") != KEY:
            return google_error(400, "keyInvalid", "API key not valid. Please pass a valid API key.", "usageLimits")
        if self.spent + COST[name] > self.quota:
            return google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.',
            )
        self.spent += COST[name]
        items: list[dict[str, Any]]
        if name == "playlistItems":
            assert request.param("playlistId") == "UU" + CHANNEL[2:]
            size = int(request.param("maxResults", "5") or 5)
            items = [
                {
                    "kind": "youtube#playlistItem",
                    "id": f"pl-{v}",
                    "contentDetails": {"videoId": v},
                    "snippet": {"resourceId": {"kind": "youtube#video", "videoId": v}, "channelId": CHANNEL},
                }
                for v in self.videos[:size]
            ]
        elif name == "commentThreads":
            video = request.param("videoId") or ""
            if video in self.disabled:
                return google_error(
                    403, "commentsDisabled", "The video has disabled comments.", "youtube.commentThread"
                )
            items = sorted(
                self.threads.get(video, []),
                key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"],
                reverse=True,
            )
        elif name == "comments":
            items = self.replies.get(request.param("parentId") or "", [])
        else:
            items = self.search_results
        body = {
            "kind": f"youtube#{name}ListResponse",
            "etag": "e",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            "items": items,
        }
        return Reply(200, json.dumps(body), {"Content-Type": "application/json; charset=UTF-8"})
