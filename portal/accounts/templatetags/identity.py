"""How a person is named on an organisation's pages (see `portal.accounts.identity`)."""

from django import template

from portal.accounts.identity import short_name as _short_name

register = template.Library()


@register.filter
def short_name(name: str) -> str:
    """`{{ m.author_name|short_name }}`: the first name the organisation entered for the person."""
    return _short_name(name)
