"""The Litestar application: routes, auth, error shape, OpenAPI, metrics."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager

from cachetools import TTLCache
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

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
from backend.controllers.limits import LimitsController
from backend.controllers.progress import ProgressController
from backend.controllers.quizzes import LegacyQuizController, QuizController
from backend.db import provide_services, provide_session
from backend.errors import EXCEPTION_HANDLERS
from backend.input_guard import GuardedRequest, InputGuardMiddleware
from backend.metrics import MetricsMiddleware
from backend.state import ApiRoot, Services
from core.db.change_feed import ChangePublisher, channel_name, follow_changes
from core.ingestion.page_cache import PageCache
from core.security.concurrency import ConcurrencyLimiter
from core.security.rate_limits import RateLimiter
from core.services.passages import PageIndexCache
from core.settings import Settings

MB = 1024 * 1024


def create_app(settings: Settings, root: ApiRoot) -> Litestar:
    """The API on the composition root's pieces (profai/container.py; profai/api.py serves it)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        services = Services(
            settings=settings,
            engine=root.engine,
            sessions=root.sessions,
            read_sessions=root.read_sessions,
            queue=root.queue,
            files=root.files,
            principals=TTLCache(maxsize=10_000, ttl=settings.cache_ttl_seconds),
            # Without Redis, workers' commits can't reach this process: no response cache then.
            # Off until the invalidation channel is subscribed (core/db/change_feed.py).
            responses=ResponseCache(
                settings.response_cache_max_entries,
                enabled=bool(settings.redis_url),
                ttl_seconds=settings.response_cache_ttl_seconds,
                live=False,
            ),
            reads=root.reads,
            limits=RateLimiter(settings),
            inflight=ConcurrencyLimiter(settings),
            page_images=PageCache(root.files.root, int(settings.page_image_cache_max_mb * MB)),
            passwords=root.passwords,
            changes=root.changes,
            retriever=root.retriever,
            # One per process: building a course's page index reads all its parsed documents.
            tutor_pages=PageIndexCache(root.files),
            answerer=root.answerer,
            chat_writer=root.chat_writer,
            audio=root.audio,
        )
        app.state.services = services
        root.changes.add_sink(services.apply_changes)
        async with AsyncExitStack() as stack:
            stack.callback(root.changes.remove_sink, services.apply_changes)
            await services.reads.open()
            stack.push_async_callback(services.inflight.close)
            stack.push_async_callback(services.reads.close)
            if settings.redis_url:
                channel = channel_name(settings.queue_name)
                loop = asyncio.get_running_loop()

                def publish_failed() -> None:
                    # The publisher's thread reports it; the cache belongs to the loop.
                    loop.call_soon_threadsafe(services.responses.publish_failed)

                publisher = ChangePublisher(settings.redis_url, channel, on_failure=publish_failed)
                root.changes.add_sink(publisher)
                stack.callback(publisher.close)
                stack.callback(root.changes.remove_sink, publisher)
                follower = asyncio.create_task(
                    follow_changes(
                        settings.redis_url,
                        channel,
                        services.apply_changes,
                        on_subscribed=services.responses.subscribed,
                        on_lost=services.responses.unsubscribed,
                    )
                )
                stack.callback(follower.cancel)
            if settings.embedding_provider == "local":
                # In the background: the API answers at once, the tutor is warm ~2 s later.
                # A remote embeddings endpoint is left alone until a question needs it.
                threading.Thread(target=root.retriever.warm, name="tutor-warm-up", daemon=True).start()
            # Everything built so far lives as long as the process: keep it out of the
            # collector's generations, so full collections stay short under load (p99).
            gc.freeze()
            try:
                yield
            finally:
                await root.engine.dispose()

    return Litestar(
        route_handlers=[
            HealthController,
            LimitsController,
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
