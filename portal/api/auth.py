from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from portal.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a device token from POST /api/v1/auth/token."""

    def authenticate(self, request, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        user = api_token.user
        if user.must_change_password:
            raise HttpError(403, _("Choose a new password in the portal first."))
        request.user = user
        request.api_token = api_token
        return user
