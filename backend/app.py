"""The Litestar application: routes, auth, error shape, OpenAPI, metrics."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from cachetools import TTLCache
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from sqlalchemy.ext.asyncio import AsyncEngine

from backend import log_redaction
from backend.auth import AuthMiddleware
from backend.cache import ResponseCache
from backend.controllers.analytics import AnalyticsController
from backend.controllers.audio import AudioController, LegacyAudioController
from backend.controllers.auth import AuthController
from backend.controllers.chat import ChatController, LegacyChatController
from backend.controllers.content import ContentController
from backend.controllers.courses import CourseController, EnrollmentController
from backend.controllers.documents import DocumentController
from backend.controllers.health import HealthController
from backend.controllers.jobs import JobController
from backend.controllers.legacy import LegacyController
from backend.controllers.progress import ProgressController
from backend.controllers.quizzes import LegacyQuizController, QuizController
from backend.db import provide_services, provide_session
from backend.edge import CacheEdge
from backend.errors import EXCEPTION_HANDLERS
from backend.headers import SecurityHeaders
from backend.input_guard import GuardedRequest, InputGuardMiddleware
from backend.metrics import MetricsMiddleware
from backend.state import Services
from backend.timeouts import BodyDeadline
from core.db.change_feed import ChangePublisher, channel_name, follow_changes
from core.db.changes import add_sink, remove_sink
from core.db.engine import create_engine, create_session_factory
from core.db.read_pool import PostgresReadPool, ReadPool
from core.db.sqlite_read_pool import SqliteReadPool
from core.security.concurrency import ConcurrencyLimiter
from core.security.rate_limits import RateLimiter
from core.services.jobs import JobQueue
from core.services.passages import PageIndexCache
from core.services.retrieval import get_retriever
from core.settings import Settings, get_settings
from core.storage import FileStore

MB = 1024 * 1024


def create_app(settings: Settings | None = None, queue: JobQueue | None = None) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        engine = create_engine(settings)
        url = settings.resolved_database_url
        files = FileStore(settings.resolved_upload_dir)
        from jobs.tasks import HueyJobQueue  # the API only enqueues; it never runs tasks

        services = Services(
            settings=settings,
            engine=engine,
            sessions=create_session_factory(engine),
            read_sessions=create_session_factory(engine, read_only=True),
            queue=queue or HueyJobQueue(),
            files=files,
            principals=TTLCache(maxsize=10_000, ttl=settings.cache_ttl_seconds),
            # Without Redis, workers' commits can't reach this process: no response cache then.
            responses=ResponseCache(enabled=bool(settings.redis_url)),
            # One per process: building a course's page index reads all its parsed documents.
            tutor_pages=PageIndexCache(files),
            reads=read_pool(url, engine, settings.db_pool_size),
            limits=RateLimiter(settings),
            inflight=ConcurrencyLimiter(settings),
        )
        app.state.services = services
        add_sink(services.apply_changes)
        async with AsyncExitStack() as stack:
            await services.reads.open()
            stack.push_async_callback(services.inflight.close)
            stack.push_async_callback(services.reads.close)
            if settings.redis_url:
                channel = channel_name(settings.queue_name)
                publisher = ChangePublisher(settings.redis_url, channel)
                add_sink(publisher)
                stack.callback(publisher.close)
                stack.callback(remove_sink, publisher)
                follower = asyncio.create_task(follow_changes(settings.redis_url, channel, services.apply_changes))
                stack.callback(follower.cancel)
            if settings.embedding_provider == "local":
                # In the background: the API answers at once, the tutor is warm ~2 s later.
                # A remote embeddings endpoint is left alone until a question needs it.
                threading.Thread(target=get_retriever(settings).warm, name="tutor-warm-up", daemon=True).start()
            # Everything built so far lives as long as the process: keep it out of the
            # collector's generations, so full collections stay short under load (p99).
            gc.freeze()
            try:
                yield
            finally:
                remove_sink(services.apply_changes)
                await engine.dispose()

    return Litestar(
        route_handlers=[
            HealthController,
            AnalyticsController,
            AudioController,
            LegacyAudioController,
            AuthController,
            CourseController,
            EnrollmentController,
            DocumentController,
            JobController,
            LegacyController,
            ChatController,
            LegacyChatController,
            QuizController,
            LegacyQuizController,
            ProgressController,
            ContentController,
        ],
        lifespan=[lifespan],
        dependencies={"session": Provide(provide_session), "svc": Provide(provide_services)},
        middleware=[
            MetricsMiddleware,
            InputGuardMiddleware,
            AuthMiddleware,
        ],
        request_class=GuardedRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=int(settings.max_request_mb * MB) + MB,
        multipart_form_part_limit=settings.max_files_per_request + 20,
        cors_config=CORSConfig(allow_origins=settings.cors_origins) if settings.cors_origins else None,
        openapi_config=OpenAPIConfig(
            title="ProfessorAI API",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                    "apiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
                }
            ),
            security=[{"bearer": []}, {"apiKey": []}],
        ),
        logging_config=None,
    )


def app_factory() -> SecurityHeaders:
    """Entry point for uvicorn --factory: the app behind its cached-response edge, request
    bodies bounded in time (backend/timeouts.py), every answer with the security headers."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    log_redaction.install()
    edge = CacheEdge(create_app(settings))
    bounded = BodyDeadline(edge, settings.api_body_idle_seconds, settings.api_body_timeout_seconds)
    return SecurityHeaders(bounded, hsts_max_age=settings.hsts_max_age)


def read_pool(url: str, engine: AsyncEngine, size: int) -> ReadPool:
    """The hot reads' pool for this database."""
    if engine.dialect.name == "postgresql":
        return PostgresReadPool(url, engine.dialect, size)
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be shared with the workers: name a file")
    # SQLite serves a read in microseconds: a few threads keep up with the event loop.
    return SqliteReadPool(Path(database), size=min(size, 4))
