"""The ceiling: a bare Litestar JSON route, served like the real API (uvicorn, same workers)."""

from litestar import Litestar, get


@get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


app = Litestar([ping])
