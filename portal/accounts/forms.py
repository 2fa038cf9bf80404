from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, username=email, password=password)
            if self.user is None:
                raise forms.ValidationError(
                    _("This e-mail address and password do not match. Check both, or reset your password."),
                    code="invalid_login",
                )
        return self.cleaned_data


class SetPasswordForm(forms.Form):
    """Choose a password (twice), checked against the password rules."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data.get("new_password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords differ."), code="password_mismatch")
        if second:
            password_validation.validate_password(second, self.user)
        return second


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


class ChangePasswordForm(SetPasswordForm):
    """Changing a password one knows: the current one is asked first."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("This is not your current password."), code="password_incorrect")
        return value


class TabletPinForm(forms.Form):
    """Set the personal PIN for group tablets: the current password first, then the PIN twice."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    pin1 = forms.CharField(
        label=_("New PIN"),
        max_length=6,
        help_text=_("4 to 6 digits, not 0000 or 1234. Only for the group tablet: it does not open your account."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )
    pin2 = forms.CharField(
        label=_("New PIN again"),
        max_length=6,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("This is not your current password."), code="password_incorrect")
        return value

    def clean_pin1(self):
        from portal.accounts.tablet import pin_problem

        pin = self.cleaned_data["pin1"].strip()
        problem = pin_problem(pin)
        if problem:
            raise forms.ValidationError(problem, code="pin_weak")
        return pin

    def clean_pin2(self):
        first, second = self.cleaned_data.get("pin1"), self.cleaned_data.get("pin2", "").strip()
        if first and second != first:
            raise forms.ValidationError(_("The two PINs differ."), code="pin_mismatch")
        return second


class TabletUnlockForm(forms.Form):
    pin = forms.CharField(
        label=_("Your PIN"),
        max_length=6,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*", "autofocus": True}
        ),
    )

    def clean_pin(self):
        return self.cleaned_data["pin"].strip()
