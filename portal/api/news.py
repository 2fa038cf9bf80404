"""The news endpoints of the v1 API: read the news that reaches you; publishers write and
remove items. Same policy and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from portal.access import news as news_access
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema, PageSize, page_of
from portal.core import clock
from portal.core.bounds import Id, PageNumber
from portal.news import selectors, services
from portal.news.files import attachment_response
from portal.news.models import NewsAttachment, NewsItem

router = Router(tags=["news"], auth=TokenAuth())


class NewsAttachmentOut(Schema):
    id: int
    kind: Literal["image", "file"]
    name: str
    content_type: str
    size: int
    url: str = Field(description="The file (an image without metadata, or a PDF), with the same token.")
    thumbnail_url: str | None = Field(description="A small image, for images only.")

    @staticmethod
    def resolve_name(obj: NewsAttachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: NewsAttachment) -> str:
        return reverse("api:news_attachment_file", kwargs={"attachment_id": obj.pk})

    @staticmethod
    def resolve_thumbnail_url(obj: NewsAttachment) -> str | None:
        return f"{NewsAttachmentOut.resolve_url(obj)}?size=thumb" if obj.thumbnail else None


class NewsOut(Schema):
    id: int
    kind: Literal["news", "newsletter"]
    title: str
    body: str = Field(description="Plain text; an empty line separates paragraphs. Show it escaped.")
    audience: str = Field(description="organisation:<id>, location:<id> or group:<id>")
    audience_label: str
    publish_at: dt.datetime
    scheduled: bool = Field(description="Not yet visible to the families (publishers only see these).")
    attachments: list[NewsAttachmentOut]

    @staticmethod
    def resolve_scheduled(obj: NewsItem) -> bool:
        return obj.publish_at > clock.now()

    @staticmethod
    def resolve_attachments(obj: NewsItem) -> list[NewsAttachment]:
        return list(obj.attachments.all())


class NewsPage(Schema):
    count: int
    page: int
    pages: int
    items: list[NewsOut]


class NewsIn(InputSchema):
    audience: str = Field(
        pattern=r"^(organisation|location|group):[1-9][0-9]{0,17}$", description="organisation:<id>, …"
    )
    kind: Literal["news", "newsletter"] = "news"
    title: str = Field(min_length=1, max_length=services.MAX_TITLE)
    body: str = Field(min_length=1, max_length=services.MAX_BODY)
    publish_at: dt.datetime | None = Field(
        default=None, description="Leave out to publish now; a time without zone is Dutch time."
    )


@router.get("/news", response=NewsPage, url_name="news_list")
def news_list(request, page: PageNumber = 1, size: PageSize = 20):
    """The published news and newsletters that reach you, newest first."""
    return page_of(selectors.reader_items(request.user), page, size)


@router.get("/news/{item_id}", response=NewsOut, url_name="news_detail")
def news_detail(request, item_id: Id):
    item = news_access.news_item_for_reader(request.user, item_id)
    return item


@router.get("/news/attachments/{attachment_id}/file", url_name="news_attachment_file")
def news_attachment_file(request, attachment_id: Id, size: Literal["", "thumb"] = ""):
    """An image (`size=thumb` for the small one) or a PDF of an item you may read."""
    attachment = news_access.news_attachment_for_user(request.user, attachment_id)
    return attachment_response(request, attachment, size)


@router.post("/news", response={201: NewsOut}, url_name="news_create")
def news_create(request, payload: NewsIn):
    """Publish (publishers only: admins to their organisation, planners to their locations and
    those locations' groups). Files are added on the portal's page."""
    audience = news_access.news_audience_for_publisher(request.user, payload.audience)
    publish_at = payload.publish_at
    if publish_at is not None and publish_at.tzinfo is None:
        publish_at = publish_at.replace(tzinfo=clock.AMSTERDAM)
    item = services.item_create(
        user=request.user,
        audience=audience,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        publish_at=publish_at,
        prepared=[],
    )
    return Status(201, item)


@router.delete("/news/{item_id}", response={204: None}, url_name="news_delete")
def news_delete(request, item_id: Id):
    item = news_access.news_item_for_publisher(request.user, item_id)
    services.item_delete(item=item, user=request.user)
    return Status(204, None)
