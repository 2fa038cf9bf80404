"""THE authorisation policy of the portal: who may see and do what to which object.

Every page, API endpoint, task, export and file download asks this package; no other module
reads a user's role ids to decide. One module per question:

- `roles`: who someone is (the ids behind each role, read once per request) and `Decision`.
- `tenancy`: which organisations a user belongs to; another organisation's object is a 404.
- `organisations`: locations and groups; `children`: children and their guardians.
- `planning`, `media`, `diary`, `messaging`, `news`, `notifications`, `backoffice`: one per
  domain, each with the querysets ("which objects may this user see") and the checks ("may
  this user do this to this object", returning the object or a `Decision`) of that domain.

The rules that hold everywhere:
- Guardians see their own children. Group staff see the children placed (now or later) on
  their groups. Planners see the groups and children of their locations. Organisation
  admins see everything of their organisation.
- An object of an organisation the user has no role in, or that does not exist, is a 404:
  nobody learns that another organisation's object exists. A child the user may not see is
  a 404 too, even within the same organisation.
- A group, location or organisation page of the user's own organisation, asked for without
  the role it needs, is a 403.

Import the module you need, e.g. `from portal.access import media as media_access`.
See docs/architecture.md for how a request flows through it.
"""
