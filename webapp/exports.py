"""Download widgets other pages call: one chart's image and numbers, and a whole meeting pack.

- chart_downloads(chart, figure): a small "Ladda ner" popover under a chart: PNG and SVG (made on a click,
  in the server's one browser, with a spinner; a missing browser is a Swedish error in the popover), and
  the numbers behind the chart as Excel and CSV (made when the download is clicked: cheap, no browser).
- pack_downloads(pack): the meeting pack as PowerPoint (followup.export.deck, with a progress bar and an
  optional own template), all charts as PNG in a zip (progress per image), and every chart's numbers in
  one Excel workbook.

What is made on a click is kept in the session (keyed by the chart or pack and its content), so the
download button that follows survives the rerun a click causes; a changed figure or pack makes it again.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from followup.export import images, tables
from followup.pack import ChartData, Pack
from webapp.components import refusals

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
MIMES = {images.ImageFormat.PNG: "image/png", images.ImageFormat.SVG: "image/svg+xml"}
IMAGE_SIZE = f"{images.WIDTH} × {images.HEIGHT}"
_STORE = "exports:"
"""Prefix of the session-state keys that keep what a click made."""


def _fingerprint(*parts: object) -> str:
    """A short digest of what a made file depends on."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _figure_fingerprint(figure: go.Figure) -> str:
    """A digest of a figure's content (a changed period or value makes the images again)."""
    return _fingerprint(figure.to_json())


def _kept(name: str, fingerprint: str) -> object | None:
    """What a click made earlier for NAME, if it was made from the same content."""
    stored = st.session_state.get(_STORE + name)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == fingerprint:
        return stored[1]
    return None


def _keep(name: str, fingerprint: str, made: object) -> None:
    """Keep what a click made for NAME in the session."""
    st.session_state[_STORE + name] = (fingerprint, made)


def _clicked(label: str, *, key: str, icon: str) -> bool:
    """A button that disappears on its click (the progress and then the download take its place)."""
    slot = st.empty()
    if not slot.button(label, key=key, icon=icon, width="stretch"):
        return False
    slot.empty()
    return True


def _table_xlsx(chart: ChartData) -> Callable[[], bytes]:
    """The chart's numbers as an Excel file, made when the download is clicked."""
    return lambda: tables.to_xlsx({chart.key: tables.chart_table(chart)})


def _table_csv(chart: ChartData) -> Callable[[], bytes]:
    """The chart's numbers as CSV for a Swedish Excel, made when the download is clicked."""
    return lambda: tables.to_csv(tables.chart_table(chart))


def chart_downloads(chart: ChartData, figure: go.Figure, *, key: str | None = None) -> None:
    """A 'Ladda ner' popover: the chart as PNG and SVG, its numbers as Excel and CSV."""
    base = key or chart.key
    with st.popover("Ladda ner", icon=":material/download:", key=f"{base}-ladda-ner"):
        st.caption(f"Bilder i bildspelsstorlek ({IMAGE_SIZE} bildpunkter) och siffrorna bakom diagrammet.")
        _image_downloads(chart.key, figure, base)
        left, right = st.columns(2)
        left.download_button("Excel", _table_xlsx(chart), file_name=f"{chart.key}.xlsx", mime=XLSX_MIME,
                             key=f"{base}-xlsx", icon=":material/table:", on_click="ignore", width="stretch")
        right.download_button("CSV", _table_csv(chart), file_name=f"{chart.key}.csv", mime="text/csv",
                              key=f"{base}-csv", icon=":material/table:", on_click="ignore", width="stretch",
                              help="Semikolon och decimalkomma: öppnas rätt i svenska Excel.")


def _image_downloads(name: str, figure: go.Figure, base: str) -> None:
    """PNG and SVG of one figure: a button makes both (one browser call each), then two download buttons."""
    made = _kept(base, _figure_fingerprint(figure)) if _STORE + base in st.session_state else None
    if not isinstance(made, dict):
        if not _clicked("Skapa bilder (PNG och SVG)", key=f"{base}-skapa", icon=":material/image:"):
            return
        with st.spinner("Ritar bilderna … (den första bilden efter en omstart tar några sekunder)"):
            with refusals(icon=":material/error:", escape=False) as refused:
                made = {fmt: images.render_images([(name, figure)], fmt)[name] for fmt in images.ImageFormat}
            if refused:
                return
        _keep(base, _figure_fingerprint(figure), made)
    left, right = st.columns(2)
    for column, fmt in zip((left, right), images.ImageFormat, strict=True):
        column.download_button(fmt.value.upper(), made[fmt], file_name=f"{name}.{fmt.value}", mime=MIMES[fmt],
                               key=f"{base}-{fmt.value}", icon=":material/image:", on_click="ignore",
                               width="stretch")


# --- a whole pack -------------------------------------------------------------------------------------------


def pack_name(pack: Pack) -> str:
    """The file-name stem of a pack's downloads: 'hasselby-vallingby-2025-T2'."""
    return f"{pack.district}-{pack.period.code}"


def _pack_fingerprint(pack: Pack) -> str:
    """What a pack's files depend on: the district, the period, the data date and the charts' numbers."""
    numbers = [tables.chart_table(chart).to_json() for chart in images.pack_charts(pack)]
    return _fingerprint(pack.district, pack.period.code, pack.data_date, pack.demo, len(pack.slides), *numbers)


def _pack_xlsx(pack: Pack) -> Callable[[], bytes]:
    """Every chart's numbers as one Excel workbook, made when the download is clicked."""
    return lambda: tables.to_xlsx(tables.pack_tables(pack))


def images_zip(images_by_key: dict[str, bytes], fmt: images.ImageFormat) -> bytes:
    """The images as a zip of <key>.<fmt> files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, data in images_by_key.items():
            archive.writestr(f"{key}.{fmt.value}", data)
    return buffer.getvalue()


def _progress_bar(text: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    """A progress bar and its (update, remove) pair."""
    bar = st.progress(0.0, text=text)

    def update(fraction: float, what: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=what)

    return update, bar.empty


def pack_downloads(pack: Pack) -> None:
    """The pack as PowerPoint, all its charts as PNG (zip) and all their numbers as Excel."""
    base = f"paket-{pack_name(pack)}"
    fingerprint = _pack_fingerprint(pack)
    has_charts = bool(images.pack_charts(pack))
    deck_column, images_column, numbers_column = st.columns(3)
    with deck_column:
        _deck_download(pack, base, fingerprint)
    with images_column:
        if has_charts:
            _zip_download(pack, base, fingerprint)
        else:
            st.caption("Paketet har inga diagram att spara som bilder.")
    with numbers_column:
        numbers_column.download_button(
            "Siffrorna (Excel)", _pack_xlsx(pack), file_name=f"{pack_name(pack)}-siffror.xlsx", mime=XLSX_MIME,
            key=f"{base}-xlsx", icon=":material/table:", on_click="ignore", width="stretch", disabled=not has_charts,
            help="En flik per diagram med siffrorna bakom det; värden 1–4 för känsliga nyckeltal visas som 1–4.",
        )


def _deck_download(pack: Pack, base: str, fingerprint: str) -> None:
    """PowerPoint: an optional own template, a button that builds the deck with progress, then the download."""
    template = st.file_uploader("Egen PowerPoint-mall (valfri)", type=["pptx", "potx"], key=f"{base}-mall",
                                help="Stadens egen mall, så att typsnitt och logotyp följer den.")
    template_bytes = template.getvalue() if template is not None else None
    fingerprint = _fingerprint(fingerprint, _fingerprint(template_bytes) if template_bytes else "")
    made = _kept(f"{base}-pptx", fingerprint)
    if not isinstance(made, bytes):
        if not _clicked("Skapa PowerPoint", key=f"{base}-skapa-pptx", icon=":material/slideshow:"):
            return
        from followup.export import deck

        update, done = _progress_bar("Bygger presentationen …")
        with refusals(icon=":material/error:", escape=False) as refused:
            made = deck.build_deck(pack, template=template_bytes, progress=update)
        done()
        if refused:
            return
        _keep(f"{base}-pptx", fingerprint, made)
    st.download_button("Ladda ner PowerPoint", made, file_name=f"{pack_name(pack)}.pptx", mime=PPTX_MIME,
                       key=f"{base}-pptx", icon=":material/download:", on_click="ignore", type="primary",
                       width="stretch")


def _zip_download(pack: Pack, base: str, fingerprint: str) -> None:
    """All charts as PNG in a zip: a button renders them in one browser with progress, then the download."""
    made = _kept(f"{base}-png", fingerprint)
    if not isinstance(made, bytes):
        if not _clicked("Skapa bilder (PNG)", key=f"{base}-skapa-png", icon=":material/image:"):
            return
        update, done = _progress_bar("Ritar diagrammen …")
        with refusals(icon=":material/error:", escape=False) as refused:
            rendered = images.render_images(images.pack_figures(pack), images.ImageFormat.PNG, progress=update)
        done()
        if refused:
            return
        made = images_zip(rendered, images.ImageFormat.PNG)
        _keep(f"{base}-png", fingerprint, made)
    st.download_button("Ladda ner bilderna (zip)", made, file_name=f"{pack_name(pack)}-diagram.zip",
                       mime="application/zip", key=f"{base}-png", icon=":material/download:", on_click="ignore",
                       width="stretch")


def year_end_downloads(pack: Pack) -> None:
    """The year-end compilation as PowerPoint (built on a click, with progress) and as an Excel workbook."""
    from followup.export import deck, workbook

    base = f"ar-{pack_name(pack)}"
    fingerprint = _pack_fingerprint(pack)
    deck_column, book_column = st.columns(2)
    with deck_column:
        made = _kept(f"{base}-pptx", fingerprint)
        if not isinstance(made, bytes):
            if not _clicked("Skapa årssammanställningen (PowerPoint)", key=f"{base}-skapa", icon=":material/slideshow:"):
                made = None
            else:
                update, done = _progress_bar("Bygger årssammanställningen …")
                made = deck.build_year_end_deck(pack, progress=update)
                done()
                _keep(f"{base}-pptx", fingerprint, made)
        if isinstance(made, bytes):
            st.download_button("Ladda ner årssammanställningen (PowerPoint)", made, file_name=f"{pack_name(pack)}.pptx",
                               mime=PPTX_MIME, key=f"{base}-pptx", icon=":material/download:", on_click="ignore",
                               width="stretch")
    with book_column:
        st.download_button("Årssammanställningen (Excel)", lambda: workbook.year_end_workbook(pack),
                           file_name=f"{pack_name(pack)}.xlsx", mime=XLSX_MIME, key=f"{base}-xlsx",
                           icon=":material/table:", on_click="ignore", width="stretch")
