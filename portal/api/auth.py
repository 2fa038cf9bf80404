from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from portal.access import accounts as security
from portal.access.tenancy import enter_scope_of
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
        if not api_token.second_factor and security.user_has_totp(user):
            # A token from before the person turned two-step login on: log in again, with a code.
            raise HttpError(403, _("Log in again in the app, with the code from your authenticator app."))
        request.user = user
        request.api_token = api_token
        enter_scope_of(request, user)  # the middleware saw no user: the token's user scopes the rest
        # An admin role is in use only with a token whose login included a code; the person's
        # other roles (their children, their groups) work with any token.
        security.apply_security_demands(user, second_factor=api_token.second_factor)
        # Answers (errors included) in the person's own language, as on the pages.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user
