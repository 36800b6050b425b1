"""The local HTTP JSON service (``thbscreen serve``): Starlette, loaded only when used.

>>> from thbscreen.service import ServiceConfig, create_app
>>> app = create_app(ServiceConfig(max_batch=100))   # an ASGI application
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import ServiceConfig

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["ServiceConfig", "create_app", "openapi_document"]


def create_app(config: ServiceConfig | None = None) -> ASGIApp:
    """The ASGI application: run it with uvicorn, or call it in tests (httpx, TestClient)."""
    from .app import build_app

    return build_app(config)


def openapi_document(config: ServiceConfig | None = None) -> dict[str, Any]:
    """The service's OpenAPI 3.1 document for ``config`` (default limits if None)."""
    from .openapi import openapi_document as build

    return build(config)
