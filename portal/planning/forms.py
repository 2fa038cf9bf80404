from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.children.models import ScheduledDayPart
from portal.core import bounds
from portal.planning.models import Absence


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AbsenceForm(forms.Form):
    KEEP, SWAP = "credit", "swap"
    day = forms.TypedChoiceField(
        label=_("Day"),
        coerce=dt.date.fromisoformat,
        help_text=_("Each day says whether reporting it now still earns a credit."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Absence.Reason.choices)
    note = forms.CharField(label=_("Note for the group"), max_length=300, required=False)
    what = forms.ChoiceField(
        label=_("Instead"),
        choices=[(KEEP, _("keep the day as a credit (if reported in time)")), (SWAP, _("swap to another day"))],
        widget=forms.RadioSelect,
        initial=KEEP,
    )
    swap_day = forms.DateField(
        label=_("Replacement day"), required=False, widget=DateInput(), validators=[bounds.validate_planning_date]
    )

    def __init__(self, days: list[tuple], previews: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["day"]).choices = [
            (day.isoformat(), f"{date_format(day, 'l j F')} · {previews[day]}") for day, _parts in days
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("what") == self.SWAP and not data.get("swap_day"):
            self.add_error("swap_day", _("Give the replacement day, or keep the day as a credit."))
        return data


class AbsenceRangeForm(forms.Form):
    """An absence over several days at once (a holiday)."""

    first = forms.DateField(label=_("First day"), widget=DateInput())
    last = forms.DateField(label=_("Last day"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=Absence.Reason.choices, initial=Absence.Reason.HOLIDAY)
    note = forms.CharField(label=_("Note for the group"), max_length=300, required=False)


class ExtraDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput(), validators=[bounds.validate_planning_date])
    day_parts = forms.MultipleChoiceField(
        label=_("Day parts"),
        choices=ScheduledDayPart.DayPart.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["morning", "afternoon"],
    )
    pay_with_credit = forms.BooleanField(label=_("Pay with a credit"), required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note for the parents"), max_length=300, required=False)
