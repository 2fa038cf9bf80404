from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from portal.access.roles import roles_of
from portal.access.tenancy import enter_scope_of
from portal.accounts.middleware import user_has_totp
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
        if not api_token.second_factor and (user_has_totp(user) or roles_of(user).is_organisation_admin):
            # A token from before two-step login was required: log in again in the app, with a code.
            raise HttpError(403, _("Log in again in the app, with the code from your authenticator app."))
        request.user = user
        request.api_token = api_token
        enter_scope_of(request, user)  # the middleware saw no user: the token's user scopes the rest
        # Answers (errors included) in the person's own language, as on the pages.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user
