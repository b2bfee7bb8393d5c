"""PNG and SVG of a pack's charts: one kaleido server per process, a lock, a timeout, a Swedish error without
a browser, figures named by ChartData.key.

The fast tests replace kaleido's server functions with spies (no browser starts). The image test at the end
exports through kaleido and Debian's chromium (the image_browser fixture: browser lane; under CI a missing
browser FAILS it), like tests/test_charts.py; its files land in test-output/export/ for review.
"""

from __future__ import annotations

import os
import struct
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kaleido
import plotly.graph_objects as go
import pytest

from followup import charts, config
from followup.export import images
from followup.pack import ChartData, Pack, Slide, SlideKind
from test_export_tables import sample_pack

FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 1920, 1080) + b"\x08\x02\x00\x00\x00"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


class FakeKaleido:
    """Spies for kaleido's server: starts and stops counted, each image call recorded, optional blocking."""

    def __init__(self) -> None:
        self.starts: list[dict[str, Any]] = []
        self.stops = 0
        self.calls: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.release.set()
        self.error: Exception | None = None

    def start_sync_server(self, *args: Any, **kwargs: Any) -> None:
        self.starts.append(kwargs)

    def stop_sync_server(self, **kwargs: Any) -> None:
        self.stops += 1

    def calc_fig_sync(self, fig: dict, opts: dict, **kwargs: Any) -> bytes:
        self.calls.append({"fig": fig, **opts})
        self.release.wait()
        if self.error is not None:
            raise self.error
        return FAKE_PNG if opts["format"] == "png" else b'<svg width="1920" height="1080"></svg>'


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeKaleido]:
    """kaleido's server functions as spies, a fresh module state, and an executable 'browser'."""
    spy = FakeKaleido()
    for name in ("start_sync_server", "stop_sync_server", "calc_fig_sync"):
        monkeypatch.setattr(kaleido, name, getattr(spy, name))
    monkeypatch.setattr(images, "_SERVER", images._Server())
    monkeypatch.setattr(images, "_server_thread_died", lambda: False)
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv(images.BROWSER_ENV, str(browser))
    yield spy
    spy.release.set()


@pytest.fixture(scope="module")
def pack() -> Pack:
    """The hand-made sample pack (three charts on two slides)."""
    return sample_pack()


@pytest.fixture(scope="module")
def figures(pack: Pack) -> list[tuple[str, go.Figure]]:
    """The sample pack's figures."""
    return images.pack_figures(pack)


# --- figures of a pack --------------------------------------------------------------------------------------


def test_pack_figures_are_named_by_chart_key_in_slide_order(pack: Pack, figures: list[tuple[str, go.Figure]]) -> None:
    assert [key for key, _ in figures] == ["1.1--trygghet", "2.2--anmalda-brott", "plats-torget--skjutningar"]
    titles = {key: fig.layout.title.text for key, fig in figures}
    assert titles["2.2--anmalda-brott"] == "Anmälda brott per månad"
    assert all(isinstance(fig, go.Figure) for _, fig in figures)


def test_pack_figures_never_hold_a_hidden_value(figures: list[tuple[str, go.Figure]]) -> None:
    fig = dict(figures)["plats-torget--skjutningar"]
    main = next(trace for trace in fig.data if trace.name == "=HYPERLINK(\"http://x.test\";\"Torget\")")
    assert [y for y in main.y if y is not None] == [7.0, 0.0, 12.0, 9.0]
    assert "visas inte som tal" in charts.alt_text(fig)


def test_a_chart_without_plan_is_drawn_from_its_frame(pack: Pack) -> None:
    chart = pack.slides[1].charts[1]
    bare = ChartData(**{**chart.__dict__, "plan": None, "shown": None})
    fig = images.chart_figure(bare, demo=True)
    assert fig.layout.title.text == chart.title
    main = next(trace for trace in fig.data if trace.name == "Hässelby-Vällingby")
    assert list(main.y) == chart.frame["value"].tolist()


# --- one server, a lock, a timeout ----------------------------------------------------------------------------


def test_one_server_for_every_batch(fake: FakeKaleido, figures: list[tuple[str, go.Figure]]) -> None:
    first = images.render_images(figures, "png")
    second = images.render_images(figures, images.ImageFormat.SVG, width=800, height=450, scale=2)
    assert len(fake.starts) == 1  # one browser for the process, not one per image or per batch
    assert fake.starts[0]["path"] == os.environ[images.BROWSER_ENV] and fake.starts[0]["mathjax"] is False
    assert list(first) == list(second) == [key for key, _ in figures]
    assert [(c["format"], c["width"], c["height"], c["scale"]) for c in fake.calls] == (
        [("png", 1920, 1080, 1)] * 3 + [("svg", 800, 450, 2)] * 3)
    assert fake.calls[0]["fig"]["layout"]["title"]["text"] == figures[0][1].layout.title.text
    assert fake.stops == 0


def test_progress_counts_the_images(fake: FakeKaleido, figures: list[tuple[str, go.Figure]]) -> None:
    seen: list[tuple[float, str]] = []
    images.render_images(figures, "png", progress=lambda fraction, text: seen.append((fraction, text)))
    assert [round(fraction, 2) for fraction, _ in seen] == [0.0, 0.33, 0.67, 1.0]
    assert seen[0][1] == "Bild 1 av 3 (PNG): 1.1--trygghet" and seen[-1][1] == "3 bilder klara"


def test_no_browser_is_a_swedish_error_before_any_start(
    fake: FakeKaleido, figures: list[tuple[str, go.Figure]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(images.BROWSER_ENV)
    monkeypatch.setattr(images, "CHROMIUM", tmp_path / "usr-bin-chromium")
    with pytest.raises(images.ImageExportError) as raised:
        images.render_images(figures, "png")
    message = str(raised.value)
    assert message.startswith("Bildexport behöver webbläsaren Chromium (Debian-paketet chromium)")
    assert "usr-bin-chromium finns inte" in message and "apt-get install chromium" in message
    assert fake.starts == [] and fake.calls == []


def test_a_missing_browser_path_names_the_variable(fake: FakeKaleido, figures: list[tuple[str, go.Figure]],
                                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(images.BROWSER_ENV, str(tmp_path / "nope"))
    with pytest.raises(images.ImageExportError, match="från miljövariabeln BROWSER_PATH"):
        images.render_images(figures, "svg")


def test_a_hung_export_times_out_and_blocks_the_server_until_it_answers(
    fake: FakeKaleido, figures: list[tuple[str, go.Figure]]
) -> None:
    fake.release.clear()
    with pytest.raises(images.ImageExportError, match="svarade inte inom 0 sekunder"):
        images.render_images(figures[:1], "png", timeout=0.3)
    with pytest.raises(images.ImageExportError, match="upptagen med en bild som har hängt sig"):
        images.render_images(figures[:1], "png", timeout=0.3)
    assert len(fake.calls) == 1  # the second export never reached the server's queue
    fake.release.set()
    stuck = images._SERVER.stuck
    assert stuck is not None
    stuck.join()
    assert list(images.render_images(figures[:1], "png")) == ["1.1--trygghet"]
    assert len(fake.starts) == 1


def test_a_server_whose_browser_died_is_closed_and_started_again(
    fake: FakeKaleido, figures: list[tuple[str, go.Figure]], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.release.clear()
    monkeypatch.setattr(images, "_server_thread_died", lambda: True)
    with pytest.raises(images.ImageExportError, match="startade inte för bildexporten"):
        images.render_images(figures[:1], "png")
    assert fake.stops == 1 and images._SERVER.started is False
    fake.release.set()
    monkeypatch.setattr(images, "_server_thread_died", lambda: False)
    images.render_images(figures[:1], "png")
    assert len(fake.starts) == 2


def test_a_kaleido_error_becomes_a_swedish_message(fake: FakeKaleido, figures: list[tuple[str, go.Figure]]) -> None:
    fake.error = RuntimeError("Kaleido timed out")
    with pytest.raises(images.ImageExportError, match=r"Bilden 1\.1--trygghet kunde inte skapas \(RuntimeError"):
        images.render_images(figures, "png")


def test_keys_must_be_unique_and_formats_known(fake: FakeKaleido, figures: list[tuple[str, go.Figure]]) -> None:
    with pytest.raises(ValueError, match="1.1--trygghet finns flera gånger"):
        images.render_images([figures[0], figures[0]], "png")
    with pytest.raises(ValueError):
        images.render_images(figures, "gif")
    assert images.render_images([], "png") == {} and fake.starts == []


def test_empty_pack_has_no_figures() -> None:
    empty = Pack("x", "X", sample_pack().period, None, False, (Slide(SlideKind.TITLE, "X"),))
    assert images.pack_figures(empty) == []


# ---- real images ---------------------------------------------------------------------------------------------

OUT = config.ROOT / "test-output" / "export"


def svg_size(data: bytes) -> tuple[int, int]:
    """Width and height attributes of an SVG's root element."""
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return int(float(root.attrib["width"])), int(float(root.attrib["height"]))


def test_real_png_and_svg_have_the_requested_size(
    figures: list[tuple[str, go.Figure]], monkeypatch: pytest.MonkeyPatch, image_browser: Path
) -> None:
    monkeypatch.delenv(images.BROWSER_ENV, raising=False)
    images.stop_server()
    starts: list[dict[str, Any]] = []
    real_start = kaleido.start_sync_server

    def spy(*args: Any, **kwargs: Any) -> None:
        starts.append(kwargs)
        real_start(*args, **kwargs)

    monkeypatch.setattr(kaleido, "start_sync_server", spy)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        pngs = images.render_images(figures, "png")
        small = images.render_images(figures[:1], "png", width=800, height=450, scale=2)
        svgs = images.render_images(figures, "svg", width=1280, height=720)
    finally:
        images.stop_server()
    assert len(starts) == 1
    assert list(pngs) == list(svgs) == [key for key, _ in figures]
    from PIL import Image

    for key, data in pngs.items():
        assert png_size(data) == (1920, 1080)
        (OUT / f"{key}.png").write_bytes(data)
        with Image.open(OUT / f"{key}.png") as image:
            image.verify()  # a complete, valid PNG
    assert png_size(small["1.1--trygghet"]) == (1600, 900)  # scale multiplies the pixels
    for key, data in svgs.items():
        assert svg_size(data) == (1280, 720)
        (OUT / f"{key}.svg").write_bytes(data)
