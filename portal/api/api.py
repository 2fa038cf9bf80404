from ninja import NinjaAPI

from portal.api import accounts, diary, exports, media, messaging, news, notifications, planning

api = NinjaAPI(
    title="Ouderportaal API",
    version="1",
    description="The API of Ouderportaal for the parents' and staff app. Log in with POST /auth/token.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", accounts.router)
api.add_router("", planning.router)
api.add_router("", media.router)
api.add_router("", diary.router)
api.add_router("", messaging.router)
api.add_router("", news.router)
api.add_router("", notifications.router)
api.add_router("", exports.router)
