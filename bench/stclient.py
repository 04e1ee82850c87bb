"""A small Streamlit websocket client for the benchmarks: one ``Tab`` is one simulated browser tab.

It speaks the protocol of streamlit 1.67 the way its frontend does (read from the frontend bundle
and the server source; ``../shared/tools/stload.py`` is the reference it was checked against):

* optional HTTP bootstrap: ``GET /_stcore/health`` and ``/_stcore/host-config`` (no JS bundle);
* a websocket to ``/_stcore/stream`` with subprotocols ``["streamlit", "PLACEHOLDER_AUTH_TOKEN"]``,
  a same-origin ``Origin`` and the tab's cookies in a ``Cookie`` header: the server builds
  ``st.context.cookies`` from that handshake (``StarletteClientContext``), so a cookie set here is
  what the app's identity check sees;
* the first ``BackMsg.rerun_script`` carries the query string, ``page_script_hash=""`` and
  ``page_name`` = the URL path (``"canvas"`` for ``/canvas``), which ``st.navigation`` resolves;
  later ones carry the current page's hash, taken from ``ForwardMsg.navigation`` (else
  ``new_session``), exactly like the browser's ``currentPageScriptHash``;
* ``ForwardMsg.auto_rerun`` (an ``st.fragment(run_every=...)``) starts a browser-like
  ``setInterval`` per fragment that sends ``rerun_script`` with ``fragment_id`` and
  ``is_auto_rerun=True`` (an unchanged interval keeps the running timer; ``stop_auto_rerun`` ends
  it); ticks are sent whether or not an answer is outstanding, as the browser does;
* a run ends with ``script_finished``: 0 full run ok, 3 fragment run ok, 2 interrupted, 1 error.

Latency of a request = send -> the ``script_finished`` of the first run that *started* after the
send (a run already in flight does not answer it; requests the server coalesced into one run are
all answered by it). A full rerun request is answered only by a full run.

Under load streamlit 1.67 sometimes never sends a run's ``script_finished``: with
``runner.fastReruns`` (the default) a request that finds the session's ScriptRunner already stopping
starts a new one, and the old one's pending "finished" event is then ignored
(``AppSession._handle_scriptrunner_event_on_event_loop``: "non-current ScriptRunner"). Such runs are
counted in ``runs_without_finish``; a full run that lost its end is taken as ended when the next run
starts (what a browser sees too: the next run's deltas replace it).

Deltas are scanned for watched markers (``Tab.watch``: the first time each marker's bytes reach the
tab, in ``Tab.seen``) and, with ``collect_text=True``, their visible text is kept in ``Tab.texts``.
Only loopback addresses are accepted.
"""
from __future__ import annotations

import asyncio
import collections
import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FULL_OK = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_OK = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
INTERRUPTED = ForwardMsg.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
TEXT_FIELDS = ("body", "label", "message", "text")


def now() -> float:
    return time.monotonic()


def loopback_base(url: str) -> tuple[str, int]:
    """(host, port) of an http://127.0.0.1:PORT URL; anything but loopback is refused."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else (parts.hostname or "")
    if parts.scheme != "http" or not parts.port or not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"only http://127.0.0.1:PORT targets are allowed, not {url!r}")
    return host, parts.port


async def http_get(host: str, port: int, path: str, timeout: float = 15.0) -> int:
    """Minimal HTTP/1.1 GET on loopback; the status code (0 on failure)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)
        writer.close()
        return int(status.split()[1])
    except (TimeoutError, OSError, IndexError, ValueError):
        return 0


@dataclass
class Request:
    kind: str                 # "initial" | "fragment" | "full"
    t_send: float
    runs_at_send: int
    done: asyncio.Future


@dataclass
class Answer:
    kind: str
    t_send: float
    latency: float
    by_full_run: bool  # answered by a full run (e.g. a tick whose fragment called st.rerun())


def element_text(element) -> str:
    """The visible text of a delta's element (markdown, text, heading, alert, widget label...)."""
    kind = element.WhichOneof("type")
    if kind is None:
        return ""
    sub = getattr(element, kind)
    return " ".join(v for f in TEXT_FIELDS if isinstance(v := getattr(sub, f, None), str) and v)


@dataclass
class Tab:
    """One simulated browser tab on ``base_url`` + ``path`` (e.g. "canvas") + ``query``."""

    base_url: str
    path: str = ""
    query: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    label: str = ""
    collect_text: bool = False
    compression: bool = True
    on_error: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        self.host, self.port = loopback_base(self.base_url)
        self.page_hash = ""
        self.ws = None
        self.closed = False
        self.runs_started = 0
        self.t_run_start = 0.0
        self.pending: list[Request] = []
        self.answers: list[Answer] = []            # every answered request
        self.run_durations: list[tuple[float, float, int]] = []  # (t_start, new_session -> finished, messages)
        self.interrupted = 0
        self.errors: list[str] = []
        self.widgets: dict[str, tuple[str, str, str]] = {}   # widget key (else id) -> (type, id, form_id)
        self.widget_states: dict[str, WidgetState] = {}      # values the "user" set, sent on every rerun
        self.texts: collections.deque[str] = collections.deque(maxlen=5000)
        self.markers: dict[str, bytes] = {}        # watched markers not seen yet
        self.seen: dict[str, float] = {}           # marker -> first time it reached this tab
        self.first_load: float | None = None       # page open -> first run finished
        self._cache: dict[str, bytes] = {}
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._recv_task: asyncio.Task | None = None
        self.messages = 0
        self.bytes = 0
        self._run_messages = 0
        self.last_message_at = 0.0
        self.trace: collections.deque | None = None  # enable_trace(): recent sends, run starts and ends
        self.runs_without_finish = 0
        self._run_open = self._run_full = False

    # --- errors ---------------------------------------------------------------------------------

    def enable_trace(self, length: int = 80) -> None:
        """Keep the last ``length`` protocol events (for diagnosing a request that is never answered)."""
        self.trace = collections.deque(maxlen=length)

    def _note(self, *event: object) -> None:
        if self.trace is not None:
            self.trace.append((round(now(), 3), *event))

    def watch(self, marker: str) -> None:
        """Record when ``marker`` first reaches this tab (in ``seen``); scanned until then only."""
        if marker not in self.seen:
            self.markers[marker] = marker.encode()

    def error(self, what: str) -> None:
        text = f"{self.label or self.path or '/'}: {what}"
        self.errors.append(text)
        if self.on_error:
            self.on_error(text)

    # --- sending --------------------------------------------------------------------------------

    def _rerun_msg(self, fragment_id: str = "", auto: bool = False,
                   extra: Iterable[WidgetState] = ()) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = "" if self.page_hash else self.path.strip("/")
        if fragment_id:
            cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        states = dict(self.widget_states)
        states.update({w.id: w for w in extra})
        cs.widget_states.widgets.extend(states.values())
        cs.cached_message_hashes.extend(self._cache)
        info = cs.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/Brussels", -60, "fr-BE"
        info.url = f"{self.base_url.rstrip('/')}/{self.path.strip('/')}" + (f"?{self.query}" if self.query else "")
        info.color_scheme = "light"
        return msg.SerializeToString()

    async def _send(self, kind: str, fragment_id: str = "", auto: bool = False,
                    extra: Iterable[WidgetState] = ()) -> Request | None:
        if self.closed or self.ws is None:
            return None
        req = Request(kind, now(), self.runs_started, asyncio.get_running_loop().create_future())
        self.pending.append(req)
        self._note("send", kind, fragment_id[-8:])
        try:
            await self.ws.send(self._rerun_msg(fragment_id, auto, extra))
        except Exception as exc:  # noqa: BLE001 - connection gone
            self.pending.remove(req)
            self._fail(f"send failed: {exc!r}")
            return None
        req.t_send = now()  # after a send that blocked on a full socket buffer
        return req

    async def rerun(self, extra: Iterable[WidgetState] = (), timeout: float = 60.0) -> float | None:
        """A full rerun (a widget interaction: ``extra`` are the changed widget states, e.g. a text
        value and a form's submit trigger). Returns its latency, None if it was not answered."""
        req = await self._send("full", extra=list(extra))
        if req is None:
            return None
        runs, interrupted = self.runs_started, self.interrupted
        try:
            return await asyncio.wait_for(asyncio.shield(req.done), timeout)
        except TimeoutError:
            self.error(f"full rerun not answered in {timeout:.0f} s ({self.runs_started - runs} runs started and "
                       f"{self.interrupted - interrupted} interrupted since; last message "
                       f"{now() - self.last_message_at:.1f} s ago)")
            return None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if req.done.cancelled() and not (task and task.cancelling()):
                return None  # the tab was closed or disconnected (recorded in errors)
            raise

    def submit_form(self, form_id: str, values: dict[str, str]) -> list[WidgetState]:
        """Widget states a browser sends when a form is submitted: the typed string values (by
        widget key) and the trigger of the form's submit button."""
        states = []
        for key, value in values.items():
            found = self.widgets.get(key)
            if found is None:
                raise KeyError(f"no widget with key {key!r} on {self.label}")
            states.append(WidgetState(id=found[1], string_value=value))
        button = next((w for w in self.widgets.values() if w[0] == "button" and w[2] == form_id), None)
        if button is None:
            raise KeyError(f"no submit button in form {form_id!r} on {self.label}")
        states.append(WidgetState(id=button[1], trigger_value=True))
        return states

    # --- receiving ------------------------------------------------------------------------------

    def _finish(self, t: float, full: bool) -> None:
        answered = [r for r in self.pending if r.runs_at_send < self.runs_started and (full or r.kind == "fragment")]
        if not answered:
            return
        self.pending = [r for r in self.pending if r not in answered]
        for r in answered:
            latency = t - r.t_send
            self.answers.append(Answer(r.kind, r.t_send, latency, full))
            if not r.done.done():
                r.done.set_result(latency)

    def _handle(self, data: bytes) -> None:
        t = self.last_message_at = now()
        self.messages += 1
        self._run_messages += 1
        self.bytes += len(data)
        msg = ForwardMsg.FromString(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # the server refers to a message this tab said it has cached
            data = self._cache.get(msg.ref_hash, b"")
            if not data:
                self.error("ref_hash of an unknown message")
                return
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash and len(self._cache) < 1000:
            self._cache[msg.hash] = data
        if kind == "delta":
            self._delta(msg.delta, data, t)
        elif kind == "new_session":
            if self._run_open:  # the previous run never reported its end (see ``runs_without_finish``)
                self.runs_without_finish += 1
                self._note("no finish", self.runs_started)
                if self._run_full:  # it did its work; what it answered is answered by now at the latest
                    self._finish(t, full=True)
            self._run_open, self._run_full = True, not msg.metadata.run.fragment_ids
            self.runs_started += 1
            self.t_run_start = t
            self._run_messages = 1
            self._note("start", self.runs_started, [f[-8:] for f in msg.metadata.run.fragment_ids] or "full")
            if not self.page_hash:
                self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "script_finished":
            status = msg.script_finished
            self._run_open = False
            self._note("finished", self.runs_started, ForwardMsg.ScriptFinishedStatus.Name(status))
            if status in (FULL_OK, FRAGMENT_OK):
                self.run_durations.append((self.t_run_start, t - self.t_run_start, self._run_messages))
                self._finish(t, full=status == FULL_OK)
            elif status == INTERRUPTED:
                self.interrupted += 1
            elif status == COMPILE_ERROR:
                self.error("script compile error")
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fid)
        elif kind == "page_not_found":
            self.error(f"page not found: {self.path!r}")

    def _delta(self, delta, data: bytes, t: float) -> None:
        if self.markers:
            for marker, raw in list(self.markers.items()):
                if raw in data:
                    self.seen.setdefault(marker, t)
                    del self.markers[marker]
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.error(f"exception {element.exception.type}: {element.exception.message[:160]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.error(f"error shown: {element.alert.body[:160]}")
        elif kind is not None:
            sub = getattr(element, kind)
            wid = getattr(sub, "id", "")
            if wid:
                parts = wid.split("-", 2)  # "$$ID-<hash>-<user key or None>"
                name = parts[2] if len(parts) == 3 and parts[2] != "None" else ""
                entry = (kind, wid, getattr(sub, "form_id", ""))
                self.widgets[name or wid] = entry
        if self.collect_text:
            text = element_text(element)
            if text:
                self.texts.append(text)

    async def _receive(self) -> None:
        try:
            async for data in self.ws:
                if isinstance(data, bytes):
                    self._handle(data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any disconnect counts
            if not self.closed:
                self._fail(f"disconnected: {exc!r}")
            return
        if not self.closed:
            self._fail("disconnected by the server")

    def _fail(self, why: str) -> None:
        if self.closed:
            return
        self.error(why)
        self.closed = True
        for _interval, task in self._timers.values():
            task.cancel()
        for r in self.pending:
            if not r.done.done():
                r.done.cancel()

    # --- fragment timers (the browser's setInterval) --------------------------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        running = self._timers.get(fragment_id)
        if running and running[0] == interval:
            return
        self._stop_timer(fragment_id)
        self._timers[fragment_id] = (interval, asyncio.create_task(self._every(fragment_id, interval)))

    def _stop_timer(self, fragment_id: str) -> None:
        running = self._timers.pop(fragment_id, None)
        if running:
            running[1].cancel()

    async def _every(self, fragment_id: str, interval: float) -> None:
        due = now() + interval
        try:
            while not self.closed:
                await asyncio.sleep(max(0.0, due - now()))
                await self._send("fragment", fragment_id, auto=True)
                due += interval
                if due < now():  # setInterval never queues missed ticks
                    due = now() + interval
        except asyncio.CancelledError:
            pass

    def stop_ticking(self) -> None:
        for fid in list(self._timers):
            self._stop_timer(fid)

    # --- lifecycle ------------------------------------------------------------------------------

    async def open(self, timeout: float = 60.0, bootstrap: bool = True) -> float | None:
        """Load the page like a browser: HTTP bootstrap, websocket, first run. Returns the time from
        the start to the end of the first run (None on failure, recorded in ``errors``)."""
        t0 = now()
        try:
            if bootstrap:
                for path in ("/_stcore/health", "/_stcore/host-config"):
                    status = await http_get(self.host, self.port, path, timeout)
                    if status != 200:
                        self.error(f"GET {path} -> {status or 'no answer'}")
                        self.closed = True
                        return None
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
            self.ws = await websockets.connect(
                f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                origin=f"http://{self.host}:{self.port}", additional_headers=headers,
                compression="deflate" if self.compression else None, max_size=None, proxy=None,
                open_timeout=timeout, close_timeout=2, ping_interval=None, user_agent_header="atelier-bench/1")
        except Exception as exc:  # noqa: BLE001
            self.error(f"connect failed: {exc!r}")
            self.closed = True
            return None
        self._recv_task = asyncio.create_task(self._receive())
        req = await self._send("initial")
        if req is None:
            return None
        try:
            await asyncio.wait_for(asyncio.shield(req.done), max(1.0, timeout - (now() - t0)))
        except TimeoutError:
            self.error(f"first run not finished in {timeout:.0f} s")
            return None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if req.done.cancelled() and not (task and task.cancelling()):
                return None  # disconnected during the first run (recorded in errors)
            raise
        self.first_load = now() - t0
        return self.first_load

    async def close(self) -> None:
        self.closed = True
        self.stop_ticking()
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 3)
            except Exception:  # noqa: BLE001
                pass
        if self._recv_task is not None:
            self._recv_task.cancel()
            await asyncio.gather(self._recv_task, return_exceptions=True)
        for r in self.pending:
            if not r.done.done():
                r.done.cancel()
