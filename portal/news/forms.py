from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.news.models import NewsItem
from portal.news.services import MAX_BODY, MAX_TITLE


class NewsForm(forms.Form):
    """An item: for whom, what, and when. Files come separately (several at once)."""

    audience = forms.ChoiceField(label=_("For whom"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=NewsItem.Kind.choices, widget=forms.RadioSelect, initial=NewsItem.Kind.NEWS
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    when = forms.ChoiceField(
        label=_("Publish"),
        choices=[("now", _("Now")), ("later", _("At a set date and time"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    publish_date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    publish_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, audiences, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for audience in audiences:
            heading = (
                _("Groups")
                if audience.group is not None
                else _("Locations")
                if audience.location
                else _("Organisation")
            )
            groups.setdefault(str(heading), []).append((audience.value, audience.label))
        cast(forms.ChoiceField, self.fields["audience"]).choices = list(groups.items())
        self.published = published
        if published:  # a published item keeps its moment
            for name in ("when", "publish_date", "publish_time"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["publish_at"] = None
        if not self.published and data.get("when") == "later":
            day, time = data.get("publish_date"), data.get("publish_time")
            if day is None or time is None:
                raise forms.ValidationError(_("Give the date and the time to publish at."))
            moment = clock.at(day, time)
            if moment <= clock.now():
                raise forms.ValidationError(_("Choose a moment in the future, or publish now."))
            data["publish_at"] = moment
        return data
