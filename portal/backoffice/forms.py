from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.children.models import Child, Guardian, ScheduledDayPart
from portal.core import bounds
from portal.core.paging import up_to
from portal.organisations.models import Group, Location, Organisation

DAY_PART_CHOICES = [
    (
        f"{weekday}-{part}",
        format_lazy("{} {}", ScheduledDayPart.Weekday(weekday).label, ScheduledDayPart.DayPart(part).label),
    )
    for weekday in ScheduledDayPart.Weekday.values
    for part in ScheduledDayPart.DayPart.values
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def parse_schedule(values: list[str]) -> list[tuple[int, str]]:
    result = []
    for value in values:
        weekday, part = value.split("-", 1)
        result.append((int(weekday), part))
    return result


class ScheduleField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", DAY_PART_CHOICES)
        kwargs.setdefault("label", _("Weekly schedule"))
        super().__init__(**kwargs)


class PlainSelect(forms.Select):
    """The HTML of Django's Select, written in Python instead of one template per option: a
    large organisation's list of groups has hundreds of options, which the templates render
    ten times slower."""

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: Django's get_context() builds a dictionary of attributes
        # for every option first, which costs more than writing the option itself.
        final_attrs = self.build_attrs(self.attrs, attrs)
        wanted = set(self.format_value(value))
        found = False

        def option(option_value, label) -> str:
            nonlocal found
            text = "" if option_value is None else str(option_value)
            selected = not found and text in wanted
            found = found or selected
            return format_html('<option value="{}"{}>{}</option>', text, " selected" if selected else "", label)

        parts: list[str] = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # a heading with its own choices
                inner = "".join(option(v, sub) for v, sub in label)
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value, mark_safe(inner)))  # noqa: S308
            else:
                parts.append(option(option_value, label))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe("".join(parts)))  # noqa: S308


def filter_options(choices, selected) -> str:
    """The <option>s of a filter's select, written in Python (a large organisation has 250
    locations and 2,500 groups: a template loop over them costs more than the rest of the page).
    `choices` are (value, label, heading) in order; consecutive choices with the same heading
    share an <optgroup>, an empty heading has none. The option whose value is `selected` is
    marked selected."""
    chosen = str(selected) if selected not in (None, "") else None
    parts: list[str] = []
    heading = None
    for value, label, group in choices:
        if group != heading:
            if heading:
                parts.append("</optgroup>")
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            heading = group
        mark = " selected" if str(value) == chosen else ""
        parts.append(format_html('<option value="{}"{}>{}</option>', value, mark, label))
    if heading:
        parts.append("</optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped by format_html)


def location_options(organisation: Organisation, selected) -> str:
    """The organisation's locations as the options of a filter, by name."""
    rows = Location.objects.filter(organisation=organisation).order_by("name", "id").values_list("pk", "name")
    return filter_options(((pk, name, "") for pk, name in rows), selected)


# A list of groups offers at most this many: a large organisation has 2,500, more than anyone
# reads in a select and more than the rest of the page costs. Past it, the location comes first.
GROUP_LIST_LIMIT = 300


def offered_groups(organisation: Organisation, location_id, *, also=None):
    """The groups a list offers, by location and name: the chosen location's (and the group
    `also`, chosen before at another location, so the list shows what was chosen), or the
    whole organisation's when no location is chosen."""
    groups = Group.objects.filter(location__organisation=organisation)
    if location_id:
        groups = (
            groups.filter(Q(location_id=location_id) | Q(pk=also)) if also else groups.filter(location_id=location_id)
        )
    return groups.order_by("location__name", "location_id", "name", "id")


def group_filter_options(organisation: Organisation, location_id, selected) -> tuple[str, bool]:
    """The groups of a filter as options under their location's name (`offered_groups`, at
    most GROUP_LIST_LIMIT). Returns the options and whether a location has to be chosen first
    (then only a group already chosen is offered, so the filter stays as it was)."""
    groups = offered_groups(organisation, location_id, also=selected)
    rows, more = up_to(groups.values_list("pk", "name", "location__name"), GROUP_LIST_LIMIT)
    if more:
        rows = list(groups.filter(pk=selected).values_list("pk", "name", "location__name")) if selected else []
    return filter_options(rows, selected), more


class _GroupChoices(ModelChoiceIterator):
    """The choices of a GroupChoiceField as plain values: a large organisation's 2,500 groups
    are read as (id, name, kind, location) rows, not as model instances."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = getattr(self.field, "offered_rows", None)
        if rows is None:
            rows = self.queryset.values_list("pk", "name", "kind", "location__name")
        for pk, name, kind, location in rows:
            yield (pk, f"{location} · {name} ({Group.Kind(kind).label})")


class GroupChoiceField(forms.ModelChoiceField):
    widget = PlainSelect
    iterator = _GroupChoices

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Choose a group"))
        super().__init__(*args, **kwargs)
        self.offered_rows: list | None = None  # None: every group of the queryset is offered

    def offer(self, groups) -> bool:
        """Offer these of the valid groups (a location's), at most GROUP_LIST_LIMIT; every group
        of the queryset stays valid. Returns False, offering none, when there are more."""
        rows, more = up_to(groups.values_list("pk", "name", "kind", "location__name"), GROUP_LIST_LIMIT)
        self.offered_rows = [] if more else rows
        return not more

    def label_from_instance(self, group):
        # Called for every group of the organisation (2,500 in a large one): the kind's label
        # from the enum, not get_kind_display(), which builds its lookup again for every call.
        return f"{group.location.name} · {group.name} ({Group.Kind(group.kind).label})"


class ChildFields(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].validators.append(bounds.validate_date)

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "birth_date", "photo_consent", "allergies", "notes", "external_id"]
        widgets = {
            "birth_date": DateInput(),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ChildCreateForm(ChildFields):
    """A child, its guardians (one or two) and its placement, in one step."""

    guardian1_email = forms.EmailField(label=_("E-mail of the first guardian"))
    guardian1_name = forms.CharField(label=_("Name of the first guardian"), max_length=200)
    guardian1_relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)
    guardian2_email = forms.EmailField(label=_("E-mail of the second guardian"), required=False)
    guardian2_name = forms.CharField(label=_("Name of the second guardian"), max_length=200, required=False)
    guardian2_relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices, required=False)
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none())
    start_date = forms.DateField(label=_("First day"), widget=DateInput(), validators=[bounds.validate_date])
    end_date = forms.DateField(
        label=_("Last day"), widget=DateInput(), required=False, validators=[bounds.validate_date]
    )
    schedule = ScheduleField()

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        groups = Group.objects.filter(location__organisation=organisation).select_related("location")
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups

    def child_fields(self):
        return [self[name] for name in ChildFields.Meta.fields]

    def guardian_fields(self):
        return [self[name] for name in self.fields if name.startswith("guardian")]

    def placement_fields(self):
        return [self[name] for name in ("group", "start_date", "end_date", "schedule")]

    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if value and Child.objects.filter(organisation=self.organisation, external_id=value).exists():
            raise forms.ValidationError(_("Another child already has this number."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("guardian1_email"), data.get("guardian2_email")
        if second and first and first.strip().lower() == second.strip().lower():
            self.add_error("guardian2_email", _("The second guardian needs another e-mail address than the first."))
        if second and not data.get("guardian2_name"):
            self.add_error("guardian2_name", _("Give the name of the second guardian too."))
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return data


class ChildEditForm(ChildFields):
    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if (
            value
            and Child.objects.filter(organisation=self.instance.organisation, external_id=value)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("Another child already has this number."))
        return value


class GuardianAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)


class PlacementEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day of care"), widget=DateInput(), validators=[bounds.validate_date])
    confirm = forms.BooleanField(label=_("Yes, end this placement"))


class PlacementMoveForm(forms.Form):
    group = GroupChoiceField(label=_("New group"), queryset=Group.objects.none())
    from_date = forms.DateField(
        label=_("First day on the new group"), widget=DateInput(), validators=[bounds.validate_date]
    )

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(location__organisation=organisation).select_related("location")
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups


class PlacementScheduleForm(forms.Form):
    schedule = ScheduleField()


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "street", "postcode", "city", "phone", "lrk_number"]


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["location", "name", "kind"]

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        location = cast(forms.ModelChoiceField, self.fields["location"])
        location.queryset = Location.objects.filter(organisation=organisation)
        location.empty_label = _("Choose a location")


class StaffRoleForm(forms.Form):
    ROLE_CHOICES = [
        ("group_staff", _("group staff")),
        ("planner", _("planner")),
        ("admin", _("organisation admin")),
    ]
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    group = GroupChoiceField(label=_("Group (for group staff)"), queryset=Group.objects.none(), required=False)
    location = forms.ModelChoiceField(
        label=_("Location (for planners)"), queryset=Location.objects.none(), required=False, widget=PlainSelect
    )

    def __init__(self, organisation: Organisation, *args, location_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(GroupChoiceField, self.fields["group"])
        field.queryset = Group.objects.filter(location__organisation=organisation)
        # The location chosen on the page narrows the groups offered; a large organisation's
        # groups are offered only once a location is chosen.
        if not field.offer(offered_groups(organisation, location_id)):
            field.help_text = _("This organisation has many groups: choose a location above to list its groups.")
        locations = Location.objects.filter(organisation=organisation).order_by("name", "pk")
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = locations

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") == "group_staff" and not data.get("group"):
            self.add_error("group", _("Choose the group this person works on."))
        if data.get("role") == "planner" and not data.get("location"):
            self.add_error("location", _("Choose the location this person plans for."))
        return data


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "invitation_lead_days",
            "credit_deadline_hour",
            "credit_deadline_days_before",
            "credit_validity_days",
            "grace_period_days",
        ]


class ClosingDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[bounds.validate_date])
    name = forms.CharField(label=_("Reason"), max_length=100, help_text=_("For example: Christmas, study day."))
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations"), queryset=Location.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locations = cast(forms.ModelMultipleChoiceField, self.fields["locations"])
        locations.queryset = Location.objects.filter(organisation=organisation)
        locations.initial = list(locations.queryset.values_list("pk", flat=True))


class RosterExceptionForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none(), empty_label=_("Choose a group"))
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[bounds.validate_planning_date])
    day_part = forms.ChoiceField(label=_("Day part"), choices=ScheduledDayPart.DayPart.choices)
    professionals = forms.IntegerField(label=_("Professionals"), min_value=0, max_value=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, location: Location, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = Group.objects.filter(location=location)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("At most 5 MB; see the column description below."))


class HistoryFilterForm(forms.Form):
    """The history page's filters: a child (found by name or number, or the one whose name was
    followed from a line), who did it (followed from a line, or the system), and an action or
    all actions of a kind (`planning.*`). Nothing here lists the organisation's children or
    people: each filter costs one indexed query at most, whatever the size of the history."""

    SYSTEM = "system"

    name = forms.CharField(
        label=_("Child"),
        required=False,
        max_length=bounds.SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("name or number")}),
    )
    child = forms.ModelChoiceField(queryset=Child.objects.none(), required=False, widget=forms.HiddenInput)
    actor = forms.ChoiceField(label=_("Done by"), required=False)
    action = forms.ChoiceField(label=_("What"), required=False)

    def __init__(self, organisation: Organisation, *args, **kwargs):
        from portal.core.audit import ACTION_LABELS, NAMESPACE_LABELS, action_label, namespace_of

        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.actor_name = ""
        cast(forms.ModelChoiceField, self.fields["child"]).queryset = Child.objects.filter(organisation=organisation)
        people: list[tuple[str, Any]] = [("", _("everyone"))]
        raw_actor = self.data.get("actor", "") if self.is_bound else ""
        actor_id = bounds.parse_id(raw_actor)
        if actor_id is not None:
            # Someone whose name was followed from a line: offered when this organisation's
            # history names them (one query on the index of (organisation, actor)).
            self.actor_name = self._name_in_history(actor_id) or ""
            if self.actor_name:
                people.append((str(actor_id), self.actor_name))
        people.append((self.SYSTEM, _("the portal itself (daily jobs, background work)")))
        cast(forms.ChoiceField, self.fields["actor"]).choices = people
        actions: dict[str, list[tuple[str, str]]] = {}
        for action in sorted(ACTION_LABELS, key=lambda a: (namespace_of(a), str(action_label(a)))):
            actions.setdefault(namespace_of(action), []).append((action, action_label(action)))
        self.namespaces = {namespace: [a for a, _label in items] for namespace, items in actions.items()}
        choices: list = [("", _("all changes"))]
        for namespace, items in sorted(actions.items(), key=lambda kv: str(NAMESPACE_LABELS.get(kv[0], kv[0]))):
            title = str(NAMESPACE_LABELS.get(namespace, namespace))
            everything = format_lazy("{}: {}", title, _("everything"))
            choices.append((title, [(f"{namespace}.*", everything), *items]))
        cast(forms.ChoiceField, self.fields["action"]).choices = choices

    def _name_in_history(self, user_id: int) -> str | None:
        from portal.accounts import identity
        from portal.core.models import AuditEntry

        return (
            AuditEntry.objects.filter(organisation=self.organisation, actor_id=user_id)
            .annotate(actor_name=identity.name_of("actor", self.organisation))
            .values_list("actor_name", flat=True)
            .first()
        )

    def clean_name(self) -> str:
        return bounds.clean_search(self.cleaned_data.get("name"))

    def filter(self, entries):
        """The entries that match the valid filters. Each is answered by an index on
        (organisation, child | actor | action, at, id)."""
        data = self.cleaned_data
        if data.get("child") is not None:
            entries = entries.filter(child=data["child"])
        words = bounds.search_words(data.get("name"))
        if words:
            children = Child.objects.filter(organisation=self.organisation)
            for word in words:
                children = children.filter(
                    Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(external_id__iexact=word)
                )
            entries = entries.filter(child_id__in=children.values("pk"))
        actor = data.get("actor")
        if actor == self.SYSTEM:
            entries = entries.filter(actor__isnull=True)
        elif actor:
            entries = entries.filter(actor_id=int(actor))
        action = data.get("action")
        if action and action.endswith(".*"):
            # The kind's actions by name (every recorded action has a label: tests/test_audit.py),
            # so the index on (organisation, action) answers it.
            entries = entries.filter(action__in=self.namespaces.get(action[:-2], []))
        elif action:
            entries = entries.filter(action=action)
        return entries
