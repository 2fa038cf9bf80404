"""Who a news item is for: the whole organisation, a location or a group."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.organisations.models import Group, Location, Organisation


@dataclass(frozen=True)
class NewsAudience:
    organisation: Organisation
    location: Location | None = None
    group: Group | None = None

    @property
    def value(self) -> str:
        """The form value: 'organisation:<id>', 'location:<id>' or 'group:<id>'."""
        if self.group is not None:
            return f"group:{self.group.pk}"
        if self.location is not None:
            return f"location:{self.location.pk}"
        return f"organisation:{self.organisation.pk}"

    @property
    def label(self) -> str:
        if self.group is not None:
            return _("Group %(group)s (%(location)s)") % {
                "group": self.group.name,
                "location": self.group.location.name,
            }
        if self.location is not None:
            return _("Location %(location)s") % {"location": self.location.name}
        return _("Whole organisation (%(organisation)s)") % {"organisation": self.organisation.name}
