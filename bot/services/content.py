"""Paid content: publishing, the catalog with each caller's access, opening and rating items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.clock import Clock
from bot.errors import DomainError, NotFound, Usage
from bot.services.communities import UserInfo, ensure_user
from bot.services.levels import level_for
from bot.services.plans import membership_active
from bot.numbers import parse_int
from storage.db import Database
from storage.models import Community
from storage.models_content import ContentItem, ContentKind, PaidMembership
from storage.repos import Repos

Access = Literal["owned", "free", "level", "member", "locked"]

MAX_TITLE = 100
MAX_TAGS = 10
MAX_TAG = 32
MAX_LEVEL = 99
MAX_POINTS = 1_000_000


class Locked(DomainError):
    """The caller has neither bought nor unlocked this item."""

    key = "content.locked"


@dataclass(frozen=True)
class PublishSpec:
    """What /publish sets: title, tags and the ways to unlock."""

    title: str
    tags: tuple[str, ...]
    price_stars: int | None = None
    price_points: int | None = None
    min_level: int | None = None
    members_only: bool = False


@dataclass(frozen=True)
class ContentSource:
    """Where the content lives so it can be delivered later."""

    kind: ContentKind
    body_html: str | None
    file_id: str | None
    storage_chat_id: int | None = None
    storage_message_id: int | None = None


@dataclass(frozen=True)
class ItemView:
    """An item as one user sees it."""

    item: ContentItem
    access: Access

    @property
    def unlocked(self) -> bool:
        """Tell whether the user may open it."""
        return self.access != "locked"


@dataclass(frozen=True)
class CatalogPage:
    """One page of a community's catalog for one user."""

    community: Community
    items: list[ItemView]
    page: int
    pages: int


# --- parsing --------------------------------------------------------------------------------


def parse_title(text: str) -> str:
    """Validate an item title."""
    title = " ".join(text.split())
    if not title or len(title) > MAX_TITLE:
        raise Usage("publish.bad_title", limit=MAX_TITLE)
    return title


def parse_stars(text: str, max_stars: int) -> int | None:
    """Parse a Stars price: 0 means not sold for Stars."""
    stars = parse_int(text, 0, max_stars)
    if stars is None:
        raise Usage("publish.bad_price", limit=max_stars)
    return stars or None


def parse_tags(text: str) -> tuple[str, ...]:
    """Parse comma-separated tags (lower-cased, de-duplicated, '-' for none)."""
    if text.strip() in ("", "-"):
        return ()
    tags: list[str] = []
    for raw in text.replace("，", ",").split(","):
        tag = " ".join(raw.split()).lower().lstrip("#")
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise Usage("publish.bad_tags", count=MAX_TAGS, limit=MAX_TAG)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Usage("publish.bad_tags", count=MAX_TAGS, limit=MAX_TAG)
    return tuple(tags)


def parse_options(words: Sequence[str]) -> dict[str, object]:
    """Parse `level=N`, `points=N` and `members` (each at most once)."""
    options: dict[str, object] = {}
    for word in (w.strip().lower() for w in words):
        if not word or word == "-":
            continue
        name, sep, value = word.partition("=")
        if name in options:
            raise Usage("publish.duplicate_option", option=name)
        # `members` is a bare word; level and points need a value.
        if name not in ("level", "points", "members") or (name == "members") == bool(sep):
            raise Usage("publish.bad_option", option=word)
        if name == "members":
            options[name] = True
            continue
        bounds = (2, MAX_LEVEL) if name == "level" else (1, MAX_POINTS)
        number = parse_int(value, *bounds)
        if number is None:
            raise Usage("publish.bad_option", option=word)
        options[name] = number
    return options


def build_spec(title: str, stars: int | None, tags: tuple[str, ...], options: dict[str, object]) -> PublishSpec:
    """Combine the parsed parts into a PublishSpec."""
    level, points = options.get("level"), options.get("points")
    return PublishSpec(
        title=title,
        tags=tags,
        price_stars=stars,
        price_points=points if isinstance(points, int) else None,
        min_level=level if isinstance(level, int) else None,
        members_only=bool(options.get("members")),
    )


def parse_publish(text: str, max_stars: int) -> PublishSpec:
    """Parse `<price> | <title> | <tag, tag> [| level=N] [| points=N] [| members]`."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 3:
        raise Usage("publish.usage")
    stars = parse_stars(parts[0], max_stars)
    return build_spec(parse_title(parts[1]), stars, parse_tags(parts[2]), parse_options(parts[3:]))


# --- admin actions --------------------------------------------------------------------------


async def do_publish_item(
    db: Database, clock: Clock, community_id: int, actor_id: int, spec: PublishSpec, source: ContentSource
) -> ContentItem:
    """Add an item to the community's catalog, audited."""
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(community_id) is None:
            raise NotFound()
        item = await repos.content.add(
            now,
            community_id=community_id,
            creator_id=actor_id,
            title=spec.title,
            description=None,
            tags=list(spec.tags),
            kind=source.kind,
            body_html=source.body_html,
            file_id=source.file_id,
            storage_chat_id=source.storage_chat_id,
            storage_message_id=source.storage_message_id,
            price_stars=spec.price_stars,
            price_points=spec.price_points,
            min_level=spec.min_level,
            members_only=spec.members_only,
            status="published",
        )
        await repos.audit.add(community_id, actor_id, "content.publish", None, {"item": item.id}, now)
    return item


async def get_item(db: Database, item_id: int) -> ContentItem:
    """Return an item (published or not) or raise NotFound."""
    async with db.read() as repos:
        item = await repos.content.get(item_id)
    if item is None:
        raise NotFound("content.unknown", id=item_id)
    return item


async def do_unpublish_item(db: Database, clock: Clock, item_id: int, actor_id: int) -> ContentItem:
    """Take an item out of the catalog (buyers keep it), audited."""
    now = clock.now()
    async with db.transaction() as repos:
        item = await repos.content.get(item_id)
        if item is None:
            raise NotFound("content.unknown", id=item_id)
        if not item.is_published:
            raise Usage("content.already_unpublished", id=item_id)
        await repos.content.update(item_id, now, status="unpublished")
        await repos.audit.add(item.community_id, actor_id, "content.unpublish", None, {"item": item_id}, now)
    return item


async def do_set_price(
    db: Database, clock: Clock, item_id: int, actor_id: int, *, stars: int | None = None, points: int | None = None
) -> ContentItem:
    """Change the Stars or the points price (0 stops that way of buying), audited."""
    now = clock.now()
    column, value = ("price_stars", stars) if points is None else ("price_points", points)
    async with db.transaction() as repos:
        item = await repos.content.get(item_id)
        if item is None:
            raise NotFound("content.unknown", id=item_id)
        await repos.content.update(item_id, now, **{column: value or None})
        details = {"item": item_id, column: value or None, "was": getattr(item, column)}
        await repos.audit.add(item.community_id, actor_id, "content.price", None, details, now)
        updated = await repos.content.get(item_id)
    assert updated is not None
    return updated


# --- access ---------------------------------------------------------------------------------


async def member_level(repos: Repos, community_id: int, user_id: int, levels: Sequence[int]) -> int:
    """Return the level the member's score reaches now."""
    member = await repos.points.member(community_id, user_id)
    return level_for(member.score if member else 0, levels)


async def access_of(repos: Repos, item: ContentItem, user_id: int, now: dt.datetime, levels: Sequence[int]) -> Access:
    """Decide server-side whether and why the user may open the item."""
    if await repos.entitlements.active(item.id, user_id) is not None:
        return "owned"
    if not item.is_published:
        return "locked"
    if item.is_free:
        return "free"
    if item.min_level and await member_level(repos, item.community_id, user_id, levels) >= item.min_level:
        return "level"
    if item.members_only and await membership_active(repos, item.community_id, user_id, now):
        return "member"
    return "locked"


async def require_buyable(
    repos: Repos, item_id: int, user_id: int, now: dt.datetime, levels: Sequence[int]
) -> ContentItem:
    """Return a published item the user cannot open yet, or raise the reason it can't be bought."""
    item = await repos.content.get(item_id)
    if item is None or not item.is_published:
        raise NotFound("content.unknown", id=item_id)
    access = await access_of(repos, item, user_id, now, levels)
    if access == "owned":
        raise DomainError("buy.owned")
    if access != "locked":
        raise DomainError("buy.already_open")
    return item


async def get_item_view(db: Database, levels: Sequence[int], item_id: int, user_id: int, now: dt.datetime) -> ItemView:
    """Return the item with the user's access; unpublished items only to their owners."""
    async with db.read() as repos:
        item = await repos.content.get(item_id)
        if item is None:
            raise NotFound("content.unknown", id=item_id)
        access = await access_of(repos, item, user_id, now, levels)
    if not item.is_published and access != "owned":
        raise NotFound("content.unknown", id=item_id)
    return ItemView(item, access)


async def get_catalog(
    db: Database, levels: Sequence[int], community_id: int, user_id: int, now: dt.datetime, page: int, size: int
) -> CatalogPage:
    """Return one page of the community's published items with the user's access to each."""
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        if community is None:
            raise NotFound()
        total = await repos.content.count_published(community_id)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        items = await repos.content.published(community_id, page * size, size)
        owned = await repos.entitlements.owned_items(user_id, [i.id for i in items])
        level = await member_level(repos, community_id, user_id, levels)
        member = await membership_active(repos, community_id, user_id, now)
    views = [ItemView(item, _access(item, item.id in owned, level, member)) for item in items]
    return CatalogPage(community, views, page, pages)


def _access(item: ContentItem, owned: bool, level: int, member: bool) -> Access:
    if owned:
        return "owned"
    if item.is_free:
        return "free"
    if item.min_level and level >= item.min_level:
        return "level"
    if item.members_only and member:
        return "member"
    return "locked"


async def get_user_communities(db: Database, user_id: int) -> list[Community]:
    """Return the active communities the user is in, has bought from, or has a plan in."""
    async with db.read() as repos:
        found = {c.id: c for c, _m in await repos.communities.list_for_user(user_id)}
        others = {e.community_id for e in await repos.entitlements.active_for(user_id)}
        others |= {m.community_id for m in await repos.plans.memberships_of(user_id)}
        for community_id in others - found.keys():
            community = await repos.communities.get(community_id)
            if community is not None and community.is_active:
                found[community_id] = community
    return sorted(found.values(), key=lambda c: (c.title, c.id))


# --- members' actions -----------------------------------------------------------------------


async def do_open_item(
    db: Database, clock: Clock, levels: Sequence[int], item_id: int, user: UserInfo
) -> ContentItem:
    """Check the user may open the item, record the open, and return it for delivery."""
    now = clock.now()
    async with db.transaction() as repos:
        item = await repos.content.get(item_id)
        if item is None:
            raise NotFound("content.unknown", id=item_id)
        if await access_of(repos, item, user.id, now, levels) == "locked":
            raise Locked()
        await ensure_user(repos, user, now)
        await repos.content.add_open(item.community_id, item.id, user.id, now)
    return item


async def do_rate_item(
    db: Database, clock: Clock, levels: Sequence[int], item_id: int, user: UserInfo, rating: int
) -> ContentItem:
    """Store the user's 1-5 rating of an item they may open."""
    if not 1 <= rating <= 5:
        raise Usage("rate.usage")
    now = clock.now()
    async with db.transaction() as repos:
        item = await repos.content.get(item_id)
        if item is None:
            raise NotFound("content.unknown", id=item_id)
        if await access_of(repos, item, user.id, now, levels) == "locked":
            raise Locked()
        await ensure_user(repos, user, now)
        await repos.content.rate(item.community_id, item.id, user.id, rating, now)
    return item


async def get_my_content(
    db: Database, user_id: int
) -> tuple[list[ContentItem], list[tuple[Community, PaidMembership]]]:
    """Return the items the user owns (newest first) and their paid memberships."""
    async with db.read() as repos:
        owned = await repos.entitlements.active_for(user_id)
        items = await repos.content.get_many(e.item_id for e in owned)
        memberships = []
        for membership in await repos.plans.memberships_of(user_id):
            community = await repos.communities.get(membership.community_id)
            if community is not None:
                memberships.append((community, membership))
    return [items[e.item_id] for e in owned if e.item_id in items], memberships


async def get_purchase_count(db: Database, user_id: int, community_id: int | None = None) -> int:
    """Return how many items the user owns (for /me), in one community or in all."""
    async with db.read() as repos:
        return await repos.entitlements.count_active(user_id, community_id)
