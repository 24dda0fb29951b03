"""Audio that starts playing while the rest is still being made.

The API streams a lesson or lecture as MP3, sentence by sentence, and answers as soon as the
first sentence is spoken (backend/controllers/audio.py). Waiting for the whole file before
showing a player cost 16-26 s of silence on a long lesson. Instead, the click's handler opens
the API's stream (so the student sees a refusal at once, and which language it is read in),
parks the open response under a random ticket, and shows an `<audio>` element whose source is
this app's `/profai-audio/<ticket>` route; the browser plays MP3 progressively while the route
passes the API's bytes through. The browser cannot carry the student's bearer token on a
media request; the ticket stands for it: unguessable, bound to one lesson's audio, kept for
TICKET_SECONDS. A later request for the same ticket (a replay, a seek) asks the API again,
which by then answers from its audio cache.

Tickets live in this process's memory: behind several replicas, sticky sessions (which the
app's websocket needs anyway) bring the browser back to the replica that issued them.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ui_student.api import AUDIO_TIMEOUT, Api, ApiError, _unreachable, audio_params, error_of

ROUTE = "profai-audio"
TICKET_SECONDS = 600
# A stream the browser has not come for by then is closed: it holds an API connection and the
# API pauses its synthesis while nobody reads.
PARKED_SECONDS = 60
MAX_TICKETS = 2000  # a bound on memory: the oldest tickets go first
CHUNK = 16 * 1024


@dataclass
class Ticket:
    api: Api
    path: str
    params: dict[str, str]
    media_type: str
    language: str
    expires: float
    live: httpx.Response | None = None  # the stream opened by the click, until the browser takes it
    client: httpx.Client | None = field(default=None, repr=False)
    parked_until: float = 0.0

    def close_live(self) -> None:
        if self.live is not None:
            self.live.close()
        if self.client is not None:
            self.client.close()
        self.live = self.client = None


_tickets: dict[str, Ticket] = {}
_lock = threading.Lock()


def _send(api: Api, path: str, params: dict[str, str]) -> tuple[httpx.Client, httpx.Response]:
    """The API's audio response, open: its status and headers are in, its body is still coming."""
    client = httpx.Client(base_url=api.base_url.rstrip("/"), headers=api._headers(), timeout=AUDIO_TIMEOUT)
    try:
        response = client.send(client.build_request("GET", path, params=params), stream=True)
    except httpx.HTTPError as exc:
        client.close()
        raise _unreachable(exc) from exc
    if response.status_code >= 400:
        response.read()
        client.close()
        raise error_of(response)
    return client, response


def open_speech(api: Api, path: str, fmt: str = "mp3", language: str | None = None) -> tuple[str, str]:
    """Start speaking `path` (a lesson's or lecture's audio); returns (ticket, language spoken).

    Returns when the first sentence is ready; raises ApiError as the API's other calls do.
    """
    params = audio_params(fmt, language)
    client, response = _send(api, path, params)
    ticket = secrets.token_urlsafe(24)
    entry = Ticket(
        api,
        path,
        params,
        response.headers.get("content-type", "audio/mpeg"),
        response.headers.get("content-language", language or ""),
        time.monotonic() + TICKET_SECONDS,
        response,
        client,
        time.monotonic() + PARKED_SECONDS,
    )
    with _lock:
        _prune()
        _tickets[ticket] = entry
    return ticket, entry.language


def _prune() -> None:
    now = time.monotonic()
    stale = [k for k, t in _tickets.items() if t.expires < now]
    stale += list(_tickets)[: max(0, len(_tickets) - MAX_TICKETS + 1)]
    for key in stale:
        gone = _tickets.pop(key, None)
        if gone is not None:
            gone.close_live()
    for entry in _tickets.values():
        if entry.live is not None and entry.parked_until < now:
            entry.close_live()


def _take(ticket: str) -> tuple[Ticket | None, httpx.Client | None, httpx.Response | None]:
    with _lock:
        entry = _tickets.get(ticket)
        if entry is None or entry.expires < time.monotonic():
            return None, None, None
        client, live = entry.client, entry.live
        entry.client = entry.live = None  # one reader per live stream
        return entry, client, live


def _chunks(client: httpx.Client, response: httpx.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_raw(CHUNK)
    finally:
        response.close()
        client.close()


async def serve(request: Request) -> Response:
    """GET /profai-audio/{ticket}: the audio, passed through as the API makes it."""
    entry, parked_client, parked = _take(request.path_params["ticket"])
    if entry is None:
        return PlainTextResponse("This audio link has expired: press Listen again.", status_code=404)
    if parked is not None and parked_client is not None:
        client, live = parked_client, parked
    else:
        try:  # off the event loop: the API answers when its first sentence is spoken
            client, live = await run_in_threadpool(_send, entry.api, entry.path, entry.params)
        except ApiError as exc:  # the player shows an error; the page stays usable
            return PlainTextResponse(exc.message, status_code=502)
    headers = {"Cache-Control": "no-store", "Content-Language": entry.language}
    return StreamingResponse(iterate_in_threadpool(_chunks(client, live)), media_type=entry.media_type, headers=headers)


def route() -> Route:
    return Route(f"/{ROUTE}/{{ticket}}", serve, methods=["GET"])


def player(ticket: str, elem_class: str) -> str:
    """The player for a ticket: plays as soon as the first sentence arrives (the page's JS says when)."""
    src = html.escape(f"{ROUTE}/{ticket}", quote=True)
    return (
        f'<div class="stream-player {elem_class}">'
        f'<audio controls autoplay preload="auto" src="{src}"></audio>'
        '<p class="audio-state">⏳ Loading the first words…</p></div>'
    )


# Installed once per page (gr.HTML js_on_load): media events do not bubble, so one capturing
# listener on the document follows every player. It says what the player is doing and keeps
# the time from the click to the first sound (window.profaiFirstSoundMs, for the benchmark).
JS = """
if (!window.profaiAudioState) {
  window.profaiAudioState = true;
  const say = (event, text) => {
    const box = event.target.closest ? event.target.closest('.stream-player') : null;
    const state = box ? box.querySelector('.audio-state') : null;
    if (state) state.textContent = text;
  };
  document.addEventListener('click', (event) => {
    if (event.target.closest && event.target.closest('#listen-button, #teach-button')) {
      window.profaiAskedAt = performance.now();
      window.profaiFirstSoundMs = null;
    }
  }, true);
  document.addEventListener('playing', (event) => {
    if (window.profaiAskedAt && window.profaiFirstSoundMs == null) {
      window.profaiFirstSoundMs = performance.now() - window.profaiAskedAt;
    }
    say(event, '▶ Playing: the rest is read as it is made.');
  }, true);
  document.addEventListener('waiting', (event) => say(event, '⏳ Waiting for the next words…'), true);
  document.addEventListener('ended', (event) => say(event, ''), true);
  document.addEventListener('pause', (event) => { if (!event.target.ended) say(event, 'Paused.'); }, true);
  document.addEventListener('error', (event) => {
    if (event.target && event.target.tagName === 'AUDIO') {
      say(event, 'The audio could not be played: press the button again.');
    }
  }, true);
}
"""
