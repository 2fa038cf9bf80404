from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.accounts import services, views


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home:home")

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        services.password_changed(user=form.user, keep_session_key=self.request.session.session_key)
        return response


app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language, name="language"),
    path("password/", views.password_change, name="password_change"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/mail/password_reset.txt",
            html_email_template_name="accounts/mail/password_reset.html",
            subject_template_name="accounts/mail/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password/reset/<uidb64>/<token>/", PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:invitation_id>/accept/", views.role_answer, {"answer": "accept"}, name="role_accept"),
    path("roles/<int:invitation_id>/decline/", views.role_answer, {"answer": "decline"}, name="role_decline"),
    path("security/", views.security, name="security"),
    path("security/two-step/", views.otp_setup, name="otp_setup"),
    path("security/two-step/verify/", views.otp_verify, name="otp_verify"),
    path("security/two-step/disable/", views.otp_disable, name="otp_disable"),
    path("security/tablet-pin/", views.tablet_pin, name="tablet_pin"),
    path("security/sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("security/apps/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
