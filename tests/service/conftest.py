"""A synchronous client for the ASGI app (httpx over ASGI, no server, no network)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from thbscreen.service import ServiceConfig, create_app

ADULT = "ilo-ec-2009/adult-labour"
NETWORK = "referral/slovenia"


class Client:
    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture(scope="session")
def app() -> Any:
    return create_app(ServiceConfig(max_body_bytes=64 * 1024, max_batch=20))


@pytest.fixture(scope="session")
def client(app: Any) -> Client:
    return Client(app)
