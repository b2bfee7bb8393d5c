"""PNG and SVG images of a pack's charts, made by Plotly's image export (kaleido 1.x) in Debian's Chromium.

One browser serves the whole process: kaleido.start_sync_server() is called once, on the first export,
and every later image goes to the same server (a browser start costs 4–9 s, an image 0.3–1.4 s). The
server is not thread-safe (Streamlit sessions are threads), so every export holds one module lock, and
every export has a timeout, so a hung browser gives a Swedish error instead of a frozen page.

Never call kaleido's get_chrome (it downloads a browser): the browser is Debian's chromium, checked
before the first start, with a message that says how to install it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from followup import charts, errors
from followup.chartplan import CHART_HEIGHT, build_figure
from followup.charts.frames import HIDDEN, LAST_YEAR_HIDDEN
from followup.pack import ChartData, Pack

Progress = Callable[[float, str], None]
"""progress(fraction done 0–1, what happens now), as followup.imports.load.Progress."""

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium; $BROWSER_PATH (which kaleido also reads) names another browser."""
BROWSER_ENV = "BROWSER_PATH"
WIDTH = 1920
HEIGHT = 1080
TIMEOUT = 60.0
"""Seconds one image may take, the browser's start included."""
POLL = 0.2
"""Seconds between checks that the export finished or the server died."""
ACTIVITY_COLUMNS = ("title", "start_date", "end_date", "status")


class ImageFormat(StrEnum):
    PNG = "png"
    SVG = "svg"


class ImageExportError(errors.Unavailable, RuntimeError):
    """An image could not be made; the message is Swedish and names the cause and the fix."""


@dataclass
class _Server:
    """The process's one kaleido server as this module sees it (guarded by _LOCK)."""

    started: bool = False
    stuck: threading.Thread | None = None  # an export that timed out and may still answer


_LOCK = threading.Lock()
_SERVER = _Server()


def browser_path() -> Path:
    """The browser kaleido will use: $BROWSER_PATH, else Debian's /usr/bin/chromium."""
    named = os.environ.get(BROWSER_ENV)
    return Path(named) if named else CHROMIUM


def check_browser() -> Path:
    """The browser's path; ImageExportError (Swedish, with the fix) when it is not there."""
    path = browser_path()
    if path.is_file() and os.access(path, os.X_OK):
        return path
    where = f"{path} (från miljövariabeln {BROWSER_ENV})" if os.environ.get(BROWSER_ENV) else str(path)
    raise ImageExportError(
        f"Bildexport behöver webbläsaren Chromium (Debian-paketet chromium), men {where} finns inte. "
        "Installera den på datorn som gör exporten (som root: apt-get install chromium), eller ange en annan "
        f"Chromium i miljövariabeln {BROWSER_ENV}. Diagrammens siffror går att ladda ner som Excel eller CSV "
        "utan webbläsare."
    )


def _start_server(browser: Path, timeout: float) -> None:
    """Start the process's kaleido server once (caller holds _LOCK)."""
    if _SERVER.started:
        return
    import kaleido  # imported late: only image export needs it

    # mathjax=False: kaleido would otherwise fetch MathJax from a CDN, and our figures use no LaTeX
    kaleido.start_sync_server(path=str(browser), mathjax=False, timeout=timeout, silence_warnings=True)
    _SERVER.started = True


def stop_server() -> None:
    """Stop the process's kaleido server (tests; a long-running process keeps it)."""
    with _LOCK:
        if _SERVER.started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
        _SERVER.started = False


def _server_thread_died() -> bool:
    """True when kaleido's server thread has ended (its browser did not start): calls to it would hang."""
    import kaleido

    thread = getattr(getattr(kaleido, "_global_server", None), "_thread", None)
    return isinstance(thread, threading.Thread) and not thread.is_alive()


def _export(key: str, fig: go.Figure, fmt: ImageFormat, size: tuple[int, int], scale: float, timeout: float) -> bytes:
    """One image through the shared server, with a timeout (caller holds _LOCK)."""
    import kaleido

    images: list[bytes] = []
    errors: list[Exception] = []

    def work() -> None:
        try:
            images.append(kaleido.calc_fig_sync(
                fig.to_dict(), opts={"format": fmt.value, "width": size[0], "height": size[1], "scale": scale}))
        except Exception as error:  # noqa: BLE001 - handed to the waiting thread
            errors.append(error)

    worker = threading.Thread(target=work, name="followup-image-export", daemon=True)
    worker.start()
    waited = 0.0
    while worker.is_alive() and waited < timeout:
        worker.join(POLL)
        waited += POLL
        if worker.is_alive() and _server_thread_died():
            _reset_dead_server()
            raise ImageExportError(
                f"Webbläsaren Chromium ({browser_path()}) startade inte för bildexporten. Kontrollera att "
                "Debian-paketet chromium är helt installerat (kör 'chromium --headless --version' på servern) "
                "och försök igen."
            )
    if worker.is_alive():
        _SERVER.stuck = worker  # it may still answer: no other export may read the server's queue meanwhile
        raise ImageExportError(
            f"Bildexporten svarade inte inom {timeout:.0f} sekunder ({key}). Försök igen om en stund; hjälper "
            "det inte, starta om programmet."
        )
    if errors:
        raise ImageExportError(
            f"Bilden {key} kunde inte skapas ({type(errors[0]).__name__}: {str(errors[0]).strip()[:200]}). "
            "Försök igen; hjälper det inte, starta om programmet."
        ) from errors[0]
    return bytes(images[0])


def _reset_dead_server() -> None:
    """Close a kaleido server whose thread has died, so that the next export starts a new one."""
    import kaleido

    kaleido.stop_sync_server(silence_warnings=True)  # the thread is gone, so closing does not wait
    _SERVER.started = False


def _check_not_stuck() -> None:
    """Refuse to export while an earlier, timed-out export may still answer on the server's queue."""
    if _SERVER.stuck is not None and _SERVER.stuck.is_alive():
        raise ImageExportError(
            "Bildexporten är upptagen med en bild som har hängt sig. Försök igen om en stund; hjälper det inte, "
            "starta om programmet."
        )
    _SERVER.stuck = None


def render_images(
    figures: Sequence[tuple[str, go.Figure]],
    fmt: ImageFormat | str,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    scale: float = 1,
    progress: Progress | None = None,
    timeout: float = TIMEOUT,
) -> dict[str, bytes]:
    """Each (key, figure) as PNG or SVG bytes by key, all through the process's one browser."""
    fmt = ImageFormat(fmt)
    keys = [key for key, _ in figures]
    if len(set(keys)) != len(keys):
        twice = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"Diagramnycklarna måste vara unika; {', '.join(twice)} finns flera gånger.")
    report = progress or (lambda fraction, text: None)
    if not figures:
        return {}
    browser = check_browser()
    images: dict[str, bytes] = {}
    total = len(figures)
    for done, (key, fig) in enumerate(figures):
        report(done / total, f"Bild {done + 1} av {total} ({fmt.value.upper()}): {key}")
        if not _LOCK.acquire(timeout=timeout):
            raise ImageExportError(
                f"Bildexporten var upptagen av en annan användare i mer än {timeout:.0f} sekunder. Försök igen."
            )
        try:
            _check_not_stuck()
            _start_server(browser, timeout)
            images[key] = _export(key, fig, fmt, (width, height), scale, timeout)
        finally:
            _LOCK.release()
    report(1.0, f"{total} bilder klara")
    return images


def empty_activities() -> pd.DataFrame:
    """An activities frame without rows (a pack's charts carry no action-plan markers)."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in ACTIVITY_COLUMNS})


def chart_figure(chart: ChartData, *, demo: bool) -> go.Figure:
    """A chart's figure: its chart plan's figure when it has one, else a plain series from its frame."""
    if chart.plan is not None and chart.shown is not None:
        activities = chart.activities if chart.activities is not None else empty_activities()
        return build_figure(chart.indicator_row, chart.plan, chart.shown, scope_name=chart.scope_name,  # type: ignore[arg-type]
                            activities=activities, demo=demo)
    columns = ["period_start", "value", "last_year", HIDDEN, LAST_YEAR_HIDDEN]
    return charts.time_series(
        chart.frame[[column for column in columns if column in chart.frame.columns]],
        title=chart.title,
        unit=chart.unit,
        grain=chart.grain,
        source=charts.Source(chart.source, through=chart.data_date, demo=demo),
        name=chart.scope_name or "Utfall",
        sensitive=chart.sensitive,
        height=CHART_HEIGHT,
    )


def pack_charts(pack: Pack) -> list[ChartData]:
    """Every chart of a pack in slide order, each key once (a chart shown on two slides is one image)."""
    seen: dict[str, ChartData] = {}
    for slide in pack.slides:
        for chart in slide.charts:
            seen.setdefault(chart.key, chart)
    return list(seen.values())


def pack_figures(pack: Pack) -> list[tuple[str, go.Figure]]:
    """(ChartData.key, figure) for every chart of a pack, in slide order."""
    return [(chart.key, chart_figure(chart, demo=pack.demo)) for chart in pack_charts(pack)]
