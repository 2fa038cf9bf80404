"""Django's admin, for the operators of an installation: two-step login and the login throttle."""

from __future__ import annotations

from django_otp.admin import OTPAdminSite


class OperatorAdminSite(OTPAdminSite):
    site_header = "Ouderportaal"
    site_title = "Ouderportaal operators"

    def login(self, request, extra_context=None):
        from portal.accounts import services
        from portal.accounts.signals import client_ip

        if request.method == "POST":
            email = request.POST.get("username", "")
            ip = client_ip(request)
            throttle = services.login_throttle_check(email=email, ip_address=ip)
            if throttle.blocked:
                extra_context = {**(extra_context or {}), "title": throttle.message()}
                request.method = "GET"  # show the form again, with the message, without checking
                response = super().login(request, extra_context)
                response.status_code = 429
                return response
            response = super().login(request, extra_context)
            if response.status_code == 200:  # the form came back: the login failed
                services.login_failure_record(email=email, ip_address=ip)
            return response
        return super().login(request, extra_context)


def install() -> None:
    """Make `django.contrib.admin.site` this site, so every registration lands on it."""
    from django.contrib import admin

    admin.site.__class__ = OperatorAdminSite
