"""The API itself: one NinjaAPI at /api/v1/ built from the registry (docs/api.md).

Built on first use, after every app's ``api.py`` has registered itself: the core parts
(the party's cases and documents, the systems' records and statistics), each workflow's
router under ``/me/<workflow>/``, and the other apps' routers (the portal's sign-in, the
surveys).
"""

import threading

from django.utils.module_loading import autodiscover_modules
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from casework.api import errors, idempotency, party, registry, system
from casework.api.auth import CallerThrottle, log_system_call

VERSION = "1"
SYSTEM_PREFIX = "system/"

# In English, like the operations' summaries: the schema is one file for programs, the same
# whatever language a request asks for (docs/api/openapi.json is compared with it).
DESCRIPTION = (
    "The HTTP API of Lingong Casework: the party API for workers and hiring parties "
    "(mini-programs, provincial apps) and the system API for provincial data pooling. "
    "Errors are answered in one format; messages are in Chinese unless the request sends "
    "Accept-Language: en. See docs/api.md."
)


class Renderer(JSONRenderer):
    # Chinese as UTF-8, not \u escapes: a third of the bytes, and readable in a log.
    json_dumps_params = {"ensure_ascii": False}


class CaseworkApi(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if request.path.startswith(f"/api/v{VERSION}/{SYSTEM_PREFIX}"):
            log_system_call(request, response.status_code)
        return response

    def get_openapi_operation_id(self, operation) -> str:
        return idempotency.operation_id(operation.view_func)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # The idempotent calls read their header themselves (a missing one is our 400, not
        # a validation error); the schema still says they need it.
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("operationId") in idempotency.OPERATIONS:
                    operation.setdefault("parameters", []).append(idempotency.PARAMETER)
        return schema


_lock = threading.Lock()
_api: CaseworkApi | None = None


def build() -> CaseworkApi:
    api = CaseworkApi(
        title="Lingong Casework API",
        version=VERSION,
        description=DESCRIPTION,
        urls_namespace="api",
        docs_url=None,  # our own page (casework.api.views.docs): no inline script
        throttle=[CallerThrottle()],
        renderer=Renderer(),
    )
    errors.install(api)
    autodiscover_modules("api")
    from casework.api import surveys  # noqa: F401

    api.add_router("", party.router)
    for workflow in registry.workflows():
        if workflow.router is not None:
            api.add_router(f"/me/{workflow.name}", workflow.router, tags=["party"])
    for extra in registry.routers():
        api.add_router(extra.prefix, extra.router, tags=extra.tags or None)
    api.add_router(f"/{SYSTEM_PREFIX.rstrip('/')}", system.router)
    return api


def get_api() -> CaseworkApi:
    global _api
    with _lock:
        if _api is None:
            _api = build()
    return _api


def urls():
    return get_api().urls
