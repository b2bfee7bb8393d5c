"""The download widgets of webapp/exports.py in AppTest: a chart's popover and a whole pack's downloads.

Image export is replaced by a spy (the real browser path is tested in tests/test_export_images.py);
the deck is the real followup.export.deck on the hand-made sample pack of tests/test_export_tables.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from followup.export import images
from webapp import exports

RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)


def chart_script() -> None:
    """One chart with its download popover."""
    from followup.export import images
    from test_export_tables import sample_pack
    from webapp import exports

    pack = sample_pack()
    chart = pack.slides[1].charts[1]
    exports.chart_downloads(chart, images.chart_figure(chart, demo=pack.demo))


def pack_script() -> None:
    """A whole pack's downloads."""
    from test_export_tables import sample_pack
    from webapp import exports

    exports.pack_downloads(sample_pack())


class FakeRender:
    """render_images as a spy: the batches asked for, and fake bytes (or an error)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.batches: list[tuple[list[str], str]] = []
        self.error = error

    def __call__(self, figures: Any, fmt: Any, *, progress: Any = None, **options: Any) -> dict[str, bytes]:
        fmt = images.ImageFormat(fmt)
        self.batches.append(([key for key, _ in figures], fmt.value))
        if self.error is not None:
            raise self.error
        if progress is not None:
            progress(0.5, "Bild 1 av 2")
        return {key: f"{fmt.value}:{key}".encode() for key, _ in figures}


def labels(at: AppTest, kind: str) -> list[str]:
    """Labels of the elements of one kind ('button', 'download_button')."""
    return [element.label for element in at.get(kind)]


def run(script: Any) -> AppTest:
    """Run a script function and check it raised nothing."""
    at = AppTest.from_function(script, default_timeout=RUN_TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_chart_popover_offers_numbers_at_once_and_images_on_a_click(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRender()
    monkeypatch.setattr(images, "render_images", fake)
    at = run(chart_script)
    assert labels(at, "download_button") == ["Excel", "CSV"]
    assert labels(at, "button") == ["Skapa bilder (PNG och SVG)"] and fake.batches == []
    at.button[0].click().run()
    assert not at.exception
    assert fake.batches == [(["2.2--anmalda-brott"], "png"), (["2.2--anmalda-brott"], "svg")]
    assert labels(at, "download_button") == ["PNG", "SVG", "Excel", "CSV"]
    at.run()  # a later rerun keeps the images: no second render
    assert len(fake.batches) == 2 and labels(at, "download_button")[:2] == ["PNG", "SVG"]


def test_chart_popover_shows_a_missing_browser_in_swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    message = "Bildexport behöver webbläsaren Chromium (Debian-paketet chromium), men /usr/bin/chromium finns inte."
    monkeypatch.setattr(images, "render_images", FakeRender(images.ImageExportError(message)))
    at = run(chart_script)
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [message]
    assert labels(at, "download_button") == ["Excel", "CSV"]


def test_pack_downloads_build_the_deck_and_the_images_on_clicks(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRender()
    monkeypatch.setattr(images, "render_images", fake)
    at = run(pack_script)
    assert labels(at, "button") == ["Skapa PowerPoint", "Skapa bilder (PNG)"]
    assert labels(at, "download_button") == ["Siffrorna (Excel)"]
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert labels(at, "download_button") == ["Ladda ner PowerPoint", "Siffrorna (Excel)"]
    assert labels(at, "button") == ["Skapa bilder (PNG)"]  # the clicked button made way for the download
    at.button[0].click().run()
    assert not at.exception
    assert fake.batches == [(["1.1--trygghet", "2.2--anmalda-brott", "plats-torget--skjutningar"], "png")]
    assert labels(at, "download_button") == ["Ladda ner PowerPoint", "Ladda ner bilderna (zip)", "Siffrorna (Excel)"]


def test_images_zip_names_files_by_key() -> None:
    data = exports.images_zip({"a--b": b"1", "c--d": b"2"}, images.ImageFormat.PNG)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["a--b.png", "c--d.png"] and archive.read("c--d.png") == b"2"


@pytest.mark.usefixtures("fresh_caches")
def test_every_chart_of_prioriterat_omrade_has_its_downloads(demo_db_copy: Path) -> None:
    at = AppTest.from_file("../dashboard.py", default_timeout=RUN_TIMEOUT)
    at.query_params["prio"] = "2. Otrygga och brottsutsatta platser"
    at.switch_page("views/omrade.py").run()
    assert not at.exception, [e.value for e in at.exception]
    count = len(at.get("plotly_chart"))
    assert count > 1
    assert labels(at, "download_button").count("Excel") == count
    assert labels(at, "download_button").count("CSV") == count
    assert labels(at, "button").count("Skapa bilder (PNG och SVG)") == count
