from ninja import NinjaAPI

from portal.api import accounts, diary, errors, exports, media, messaging, news, notifications, planning


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema with each operation's error answers (all in the one `Error` shape)."""
        return errors.document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = PortalAPI(
    title="Ouderportaal API",
    version="1",
    description=(
        "The API of Ouderportaal for the parents' and staff app. Log in with POST /auth/token. "
        'Every error answers {"error": {"code", "message", "fields"}}, the message in the '
        "user's language; lists answer pages of {count, page, pages, items} (`page` from 1, "
        "`size` at most 100)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", planning.router)
api.add_router("", media.router)
api.add_router("", diary.router)
api.add_router("", messaging.router)
api.add_router("", news.router)
api.add_router("", notifications.router)
api.add_router("", exports.router)
