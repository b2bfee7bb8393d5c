"""Data: load a file (upload, check, preview, confirm, progress), the history of loads with undo, templates,
and the place names police events are placed by (Platsnamn: list, add, remove).

The page does what `python -m followup load FILE` and `undo LOAD_ID` do, with the same core calls:
imports.parse (checks, never writes), load.plan (the preview, in a transaction it rolls back),
load.apply (one transaction, with the user's confirmation when stored values would change) and
load.undo. The first half of this module is pure (frames in, frames out) so tests can call it directly;
the second half draws with Streamlit.

Session state (every key starts with 'data_'):
- data_upload_round: a counter in the uploader's key; raised after a load so the uploader starts empty.
- data_prepared: the Prepared of the file in the uploader (its checksum, batch, plan and tables), so a
  rerun (a click on the checkbox) does not parse the file again. One file only, to spare memory; the plan
  is made again when the data version changes (someone loaded or undid something meanwhile).
- data_message: a Message shown once at the top of the page after a load or an undo.
- data_undo_pending: the load id waiting for the user's "Ja, ångra".
- data_alias_*: the Platsnamn tab: the district filter, the add form's widgets, the alias waiting for
  "Ja, ta bort" (data_alias_remove_pending) and a refusal shown once under the form (data_alias_refused).
  Adding and removing run in button callbacks (followup.imports.aliases), before the page is drawn.

Tests: Streamlit 1.67's AppTest drives st.file_uploader (`at.file_uploader[0].upload(name, data)`), so
tests/test_app_data.py uploads real bytes; tests/test_e2e_data.py uploads through Chromium with
Playwright's set_input_files.
"""

from __future__ import annotations

from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from followup import fmt, imports
from followup.imports import aliases, load, template
from followup.imports.base import MAX_PROBLEMS, Batch, Catalogue, LoadRefused, Problem, checksum, file_label
from followup.model import LoadKind, Unit
from followup.periods import Period
from webapp import auth, state
from webapp.components import plain, refusals, selected_district

T = TypeVar("T")

FIRST_PROBLEMS = 3
"""Problems also written out in the error box, where long messages wrap."""
SAMPLE_ROWS = 20
"""Rows of the file shown in the preview."""
CHANGE_ROWS = 200
"""Changed values listed in the preview (the counts cover them all)."""
HISTORY_LIMIT = 200
"""Loads listed under Laddningar."""
UPLOAD_TYPES = ["csv", "xlsx", "json", "txt"]
TABS = ["Läs in en fil", "Laddningar", "Mallar", "Platsnamn"]

AUTO = "Känn igen automatiskt"
"""The kind choice that lets the program tell the kind from the file's content."""
BUILTIN_KINDS = {LoadKind.DEMO.value: "exempeldata", LoadKind.REFERENCE.value: "referensdata"}
"""import_log kinds that are not files and cannot be undone, with their Swedish names."""

PROBLEM_COLUMNS = ["Rad", "Kolumn", "Problem"]
OBSERVATION_SAMPLE_COLUMNS = ["Rad", "Indikator", "Område", "Plats", "Period", "Värde", "n"]
EVENT_SAMPLE_COLUMNS = ["Rad", "Tid", "Område", "Plats", "Kategori", "Rapporterad av", "Beskrivning"]
CHANGE_COLUMNS = ["Rad", "Indikator", "Område", "Plats", "Period", "Gammalt värde", "Nytt värde", "Ändring"]
HISTORY_COLUMNS = ["Nummer", "Tid", "Typ", "Fil", "Användare", "Nya", "Ändrade", "Överhoppade", "Ångrad"]
WHOLE_DISTRICT = "hela området"
CITY_ONLY = "bara staden"

KEY_ROUND = "data_upload_round"
KEY_PREPARED = "data_prepared"
KEY_MESSAGE = "data_message"
KEY_UNDO = "data_undo_pending"

ALIAS_COLUMNS = ["Namn i texten", "Stadsdelsområde", "Plats"]
ALL_DISTRICTS = ""
"""The filter choice that lists the names of every district."""
KEY_ALIAS_FILTER = "data_alias_filter"
KEY_ALIAS_NAME = "data_alias_name"
KEY_ALIAS_DISTRICT = "data_alias_district"
KEY_ALIAS_PLACE = "data_alias_place"
KEY_ALIAS_REMOVE = "data_alias_remove_choice"
KEY_ALIAS_PENDING = "data_alias_remove_pending"
KEY_ALIAS_REFUSED = "data_alias_refused"
ALIAS_EXPLANATION = (
    "Polisens händelser kopplas till platser och områden genom namnen i texten: nämner händelsen ett namn i "
    "listan nedan (eller en plats eller ett stadsdelsområde vid dess eget namn) hamnar den där, annars visas "
    "den för hela staden."
)
ALIAS_FROM_NOW = (
    "Nya och borttagna namn gäller laddningar från och med nu. Händelser som redan är inlästa behåller sin "
    "plats; för att koppla dem på nytt, ångra laddningen under fliken **Laddningar** och läs in filen igen."
)


# --- pure parts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A checked file: its problems, or its batch, plan and the preview tables (made once per file)."""

    file_id: str  # the uploader's id for this upload: the same file on a rerun needs no new checksum
    file_name: str
    checksum: str
    kind: LoadKind | None  # the user's choice; None: detected
    version: str  # the data version the plan was made at
    batch: Batch | None
    plan: load.Plan | None
    problems: tuple[Problem, ...] = ()
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        """True when the file may be loaded."""
        return self.plan is not None and not self.problems


@dataclass(frozen=True)
class Message:
    """What a load or an undo did, shown once at the top of the page."""

    level: str  # 'success' or 'warning'
    text: str  # Markdown, with user text already escaped
    lines: tuple[str, ...] = ()  # the report, plain text


def kind_label(kind: LoadKind | None) -> str:
    """The Swedish name of a kind choice ('Känn igen automatiskt' for None)."""
    return AUTO if kind is None else imports.KIND_NAMES[kind]


def kind_name(kind: str) -> str:
    """The Swedish name of an import_log kind, also for demo and reference data."""
    if kind in BUILTIN_KINDS:
        return BUILTIN_KINDS[kind]
    try:
        return imports.KIND_NAMES[LoadKind(kind)]
    except (KeyError, ValueError):
        return kind


def problems_frame(problems: Sequence[Problem], limit: int = MAX_PROBLEMS) -> pd.DataFrame:
    """The first LIMIT problems as a table: row and column as the user sees them, and the message."""
    rows = [
        ("hela filen" if p.row is None else str(p.row), p.column or "", p.message) for p in problems[:limit]
    ]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _names(frame: pd.DataFrame) -> dict[str, str]:
    """code -> name of a catalogue frame."""
    return dict(zip(frame["code"], frame["name"], strict=True))


def _text(value: Any) -> str:
    """A cell as text; missing values as ''."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _period_label(start: Any, grain: Any) -> str:
    """'mars 2024' for a period start and grain; the raw values when they make no period."""
    try:
        return Period(pd.Timestamp(start).date(), grain).label
    except (ValueError, TypeError):
        return f"{_text(start)} ({_text(grain)})"


def _value(value: Any, unit: str, sensitive: bool) -> str:
    """A value as the dashboard shows it (1–4 of a sensitive count hidden)."""
    if value is None or pd.isna(value):
        return fmt.MISSING
    try:
        return fmt.value_text(float(value), Unit(unit), sensitive=bool(sensitive))
    except ValueError:
        return fmt.number(float(value))


def observation_sample(observations: pd.DataFrame, cat: Catalogue, limit: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first LIMIT observations of a batch with names instead of codes, as the preview shows them."""
    head = observations.head(limit)
    indicators = cat.indicators.set_index("code")
    districts = _names(cat.districts)
    places = {(d, c): n for c, n, d in cat.places[["code", "name", "district"]].itertuples(index=False)}
    rows = []
    for row in head.itertuples(index=False):
        known = row.indicator in indicators.index
        unit = indicators.at[row.indicator, "unit"] if known else Unit.COUNT.value
        sensitive = bool(indicators.at[row.indicator, "sensitive"]) if known else True
        place = _text(row.place)
        rows.append((
            _text(row.source_row),
            indicators.at[row.indicator, "name"] if known else _text(row.indicator),
            districts.get(row.district, _text(row.district)),
            places.get((row.district, place), place) if place else WHOLE_DISTRICT,
            _period_label(row.period_start, row.grain),
            _value(row.value, unit, sensitive),
            "" if pd.isna(row.denominator) else fmt.number(float(row.denominator)),
        ))
    return pd.DataFrame(rows, columns=OBSERVATION_SAMPLE_COLUMNS)


def event_sample(batch: Batch, cat: Catalogue, limit: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first LIMIT events of a batch with names instead of codes, as the preview shows them."""
    districts = _names(cat.districts)
    places = {(d, c): n for c, n, d in cat.places[["code", "name", "district"]].itertuples(index=False)}
    categories = {**_names(cat.categories), **batch.new_categories}
    rows = []
    for row in batch.events.head(limit).itertuples(index=False):
        district, place = _text(row.district), _text(row.place)
        when = pd.Timestamp(row.occurred_at)
        rows.append((
            _text(row.source_row),
            "" if pd.isna(when) else f"{when:%Y-%m-%d %H:%M}",
            districts.get(district, district) if district else CITY_ONLY,
            places.get((district, place), place) if place else "",
            categories.get(_text(row.category), _text(row.category)),
            _text(row.reporter),
            _text(row.description),
        ))
    return pd.DataFrame(rows, columns=EVENT_SAMPLE_COLUMNS)


def changes_frame(changes: pd.DataFrame, cat: Catalogue, limit: int = CHANGE_ROWS) -> pd.DataFrame:
    """The stored values a load would overwrite (load.Plan.changes) as a Swedish table: old → new."""
    by_name = cat.indicators.set_index("name")
    rows = []
    for row in changes.head(limit).itertuples(index=False):
        known = row.indicator in by_name.index
        unit = by_name.at[row.indicator, "unit"] if known else Unit.COUNT.value
        sensitive = bool(by_name.at[row.indicator, "sensitive"]) if known else True
        rows.append((
            _text(row.source_row),
            _text(row.indicator),
            _text(row.district),
            _text(row.place) or WHOLE_DISTRICT,
            _period_label(row.period_start, row.grain),
            _value(row.old_value, unit, sensitive),
            _value(row.value, unit, sensitive),
            "ersätter preliminärt värde" if row.change == "replaces_preliminary" else "ändras",
        ))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def prepare(
    con: Any, data: bytes, file_name: str, kind: LoadKind | None, *, file_id: str, version: str,
    known: Prepared | None = None,
) -> Prepared:
    """Check a file and plan its load without writing; a KNOWN Prepared of the same bytes and kind is
    reused (only the plan is made again when the data version moved on)."""
    digest = checksum(data)
    file_name = file_label(file_name)  # as the importer names it: no path, no control characters, not too long
    common = {"file_id": file_id, "file_name": file_name, "checksum": digest, "kind": kind, "version": version}
    same_file = known is not None and known.checksum == digest and known.kind == kind
    if same_file and (known.version == version or known.batch is None or known.problems):
        return dataclasses.replace(known, **common)
    if same_file and known.batch.kind is not LoadKind.POLICE:  # police events are placed by the alias table,
        batch = known.batch  # which may have changed since: those files are parsed again
    else:
        try:
            batch = imports.parse(data, file_name, imports.catalogue(con), kind)
        except LoadRefused as refused:
            return Prepared(**common, batch=None, plan=None, problems=tuple(refused.problems))
        if not batch.ok:
            return Prepared(**common, batch=batch, plan=None, problems=tuple(batch.problems))
    cat = imports.catalogue(con)
    plan = load.plan(con, batch)
    sample = event_sample(batch, cat) if len(batch.events) else observation_sample(batch.observations, cat)
    return Prepared(**common, batch=batch, plan=plan, sample=sample, changes=changes_frame(plan.changes, cat))


def history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """The import_history query as the Laddningar table: Swedish headings, times, kinds and undo state."""
    rows = []
    for row in history.itertuples(index=False):
        if row.kind in BUILTIN_KINDS:
            undone = "kan inte ångras"
        elif pd.notna(row.undone_at):
            undone = f"{pd.Timestamp(row.undone_at):%Y-%m-%d %H:%M} av {_text(row.undone_by)}"
        else:
            undone = ""
        rows.append((
            int(row.id), f"{pd.Timestamp(row.loaded_at):%Y-%m-%d %H:%M}", kind_name(row.kind), row.file_name,
            row.user_name, int(row.rows_added), int(row.rows_changed), int(row.rows_skipped), undone,
        ))
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def undo_choice(row: Any) -> str:
    """'Laddning 7: brott.csv (2025-09-02 09:00, 12 nya, 0 ändrade)' for the undo picker."""
    return (f"Laddning {row.id}: {row.file_name} ({pd.Timestamp(row.loaded_at):%Y-%m-%d %H:%M}, "
            f"{row.rows_added} nya, {row.rows_changed} ändrade)")


def undo_question(load_id: int, file_name: str) -> str:
    """The confirmation question before an undo, with the file name escaped for Markdown."""
    return (f"**Ångra laddning {load_id} ({plain(file_name)})?** Dess rader tas bort och de värden den "
            "ersatte kommer tillbaka.")


def loaded_message(result: load.LoadResult) -> Message:
    """The message after a load: its number, file and kind, and the report."""
    batch = result.plan.batch
    text = (f"**Laddning {result.load_id} är inläst:** {plain(batch.file_name)} "
            f"({imports.KIND_NAMES[batch.kind]}). Den kan ångras under fliken Laddningar.")
    return Message("success", text, tuple(result.plan.report()))


# --- drawing ----------------------------------------------------------------------------------------


def _version() -> str:
    """The data version of the database in use."""
    return state.data_version()


def show_message() -> None:
    """The message of the last load or undo, once."""
    message: Message | None = st.session_state.pop(KEY_MESSAGE, None)
    if message is None:
        return
    box = st.success if message.level == "success" else st.warning
    icon = ":material/check_circle:" if message.level == "success" else ":material/warning:"
    lines = "".join(f"\n- {plain(line)}" for line in message.lines)
    box(message.text + ("\n" + lines if lines else ""), icon=icon)


def format_help() -> None:
    """A short description of the file formats, pointing to the templates."""
    with st.expander("Hur ska filen se ut?", icon=":material/help:"):
        st.markdown(
            "**Indikatorvärden** (.xlsx eller .csv): en rad per indikator, område, plats och period med "
            "kolumnerna `indikator`, `område`, `plats` (tom för hela området), `period` (`2025`, `2025-T2`, "
            "`2025-Q2`, `2025-03` eller `2025-W12`), `värde` och gärna `n`. Decimalkomma går bra.\n\n"
            "**EST-rapporter**: en rad per händelse med datum och tid, plats, `kategori`, organisation och "
            "fritext. **Polisens händelser** och **Kolada** som JSON, **Brå:s** tabellexport som den är.\n\n"
            "Enklast är att utgå från mallarna under fliken **Mallar**: de har en flik med instruktioner "
            "och listor över giltiga indikatorer och platser. Hela beskrivningen finns i "
            "`docs/import-formats.md`."
        )


def _uploaded() -> Any:
    """The uploader (emptied after each load by a new key) and the kind choice; the uploaded file or None."""
    round_ = st.session_state.setdefault(KEY_ROUND, 0)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        upload = st.file_uploader("Välj en fil (csv, xlsx, json eller txt)", type=UPLOAD_TYPES,
                                  key=f"data_upload_{round_}")
    with right:
        st.selectbox("Typ av fil", [None, *imports.KIND_NAMES], format_func=kind_label, key="data_kind")
    return upload


def _prepared(upload: Any) -> Prepared:
    """The uploaded file checked and planned, from session state when it was checked before."""
    known: Prepared | None = st.session_state.get(KEY_PREPARED)
    kind: LoadKind | None = st.session_state.get("data_kind")
    version = _version()
    if known is not None and known.file_id == upload.file_id and known.kind == kind and known.version == version:
        return known
    with st.spinner("Kontrollerar filen …"):
        prepared = state.on_cursor(prepare, upload.getvalue(), upload.name, kind, file_id=upload.file_id,
                              version=version, known=known)
    st.session_state[KEY_PREPARED] = prepared
    return prepared


def problem_line(problem: Problem) -> str:
    """'Rad 3, kolumn värde: …' – a problem without its file name (the page names the file once)."""
    where = [f"Rad {problem.row}" if problem.row is not None else "Hela filen"]
    if problem.column:
        where.append(f"kolumn {problem.column}")
    return f"{', '.join(where)}: {problem.message}"


def show_problems(file_name: str, problems: Sequence[Problem]) -> None:
    """The error box with the number of problems and the first few in words, then the table of them all
    (the table's text is data, not Markdown)."""
    count = len(problems)
    first = "".join(f"\n- {plain(problem_line(p))}" for p in problems[:FIRST_PROBLEMS])
    more = f"\n\nAlla {count} står i tabellen nedan." if count > FIRST_PROBLEMS else ""
    st.error(
        f"**{plain(file_name)} har {count} problem. Inget har lästs in.** Rätta filen och välj den igen.\n"
        f"{first}{more}",
        icon=":material/error:",
    )
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch", column_config={
        "Rad": st.column_config.TextColumn(width=110), "Kolumn": st.column_config.TextColumn(width=160),
        "Problem": st.column_config.TextColumn(width=1000),
    })
    if count > MAX_PROBLEMS:
        st.caption(f"Visar de första {MAX_PROBLEMS} av {count} problem.")


def show_counts(plan: load.Plan) -> None:
    """New, changed, unchanged and skipped rows as large figures."""
    columns = st.columns(4)
    figures = [
        ("Nya", plan.rows_added),
        ("Ändrade", plan.rows_changed),
        ("Oförändrade", plan.unchanged + plan.events_known),
        ("Överhoppade", plan.batch.skipped),
    ]
    for column, (label, value) in zip(columns, figures, strict=True):
        column.metric(label, fmt.number(value, 0), border=True)


def show_preview(prepared: Prepared) -> None:
    """The kind, counts, report, a sample of the rows and the changes, then the confirmation and button."""
    plan = prepared.plan
    assert plan is not None and prepared.batch is not None
    batch = prepared.batch
    st.subheader(f"Förhandsgranskning: {plain(prepared.file_name)}")
    st.markdown(f"Filen är **{imports.KIND_NAMES[batch.kind]}**. Inget är inläst ännu.")
    show_counts(plan)
    for line in plan.report():
        st.markdown(f"- {plain(line)}")
    if not plan.rows_added and not plan.rows_changed:
        st.info("Filen innehåller inget nytt: allt finns redan i databasen.", icon=":material/info:")
    if len(prepared.sample):
        st.markdown(f"**De första {len(prepared.sample)} raderna som de tolkas**")
        st.dataframe(prepared.sample, hide_index=True, width="stretch")
    if plan.rows_changed:
        st.markdown(f"**{plan.rows_changed} värden som redan finns ändras**")
        st.dataframe(prepared.changes, hide_index=True, width="stretch")
        if plan.rows_changed > len(prepared.changes):
            st.caption(f"Visar de första {len(prepared.changes)} av {plan.rows_changed} ändringar.")
    confirmed = True
    if plan.needs_confirmation:
        confirmed = st.checkbox(f"Ersätt {plan.changed} befintliga värden", key=f"data_replace_{prepared.checksum}")
    clicked = st.button("Läs in", type="primary", icon=":material/upload:", disabled=not confirmed)
    if not confirmed:
        st.caption("Kryssa i rutan ovan för att ersätta de gamla värdena, eller rätta filen.")
    if clicked:
        run_load(prepared, replace=plan.needs_confirmation and confirmed)


def run_load(prepared: Prepared, *, replace: bool) -> None:
    """Write the batch with a progress bar; on success remember the message, empty the uploader, rerun."""
    bar = st.progress(0.0, text="Läser in …")
    with refusals() as refused:  # e.g. the file holds districts the user may not write: nothing was written
        try:
            result = state.on_cursor(load.apply, prepared.batch, user=state.current_user(), replace=replace,
                                     progress=lambda fraction, text: bar.progress(fraction, text=text))
        except LoadRefused as problems:  # listed row by row, not as one message
            bar.empty()
            show_problems(prepared.file_name, problems.problems)
            st.session_state.pop(KEY_PREPARED, None)  # plan again on the next run
            return
    if refused:
        bar.empty()
        return
    st.session_state[KEY_MESSAGE] = loaded_message(result)
    st.session_state.pop(KEY_PREPARED, None)
    st.session_state[KEY_ROUND] = st.session_state.get(KEY_ROUND, 0) + 1
    st.rerun()


def load_section() -> None:
    """Läs in en fil: upload, check, preview, confirm and load."""
    if not auth.may_edit(state.current_user()):
        auth.read_only_notice(state.current_user(), "", "data")
        return
    st.markdown("Välj en fil. Den kontrolleras först och du ser vad som ändras innan något läses in.")
    upload = _uploaded()
    format_help()
    if upload is None:
        st.session_state.pop(KEY_PREPARED, None)
        return
    prepared = _prepared(upload)
    if not prepared.ok:
        show_problems(prepared.file_name, prepared.problems)
        return
    with refusals() as refused:  # an editor learns before the preview that the file holds another district's
        load.require_access(state.current_user(), prepared.batch)  # rows (apply checks again)
    if refused:
        return
    show_preview(prepared)


def history_section() -> None:
    """Laddningar: every load, newest first, and undoing one after a confirmation."""
    history = state.query("import_history", limit=HISTORY_LIMIT)
    if history.empty:
        st.info("Inga laddningar ännu.", icon=":material/info:")
        return
    counts = {name: st.column_config.NumberColumn(format="localized", width=150)
              for name in ("Nya", "Ändrade", "Överhoppade")}
    st.dataframe(history_frame(history), hide_index=True, width="stretch", column_config={
        "Nummer": st.column_config.NumberColumn(format="%d", width=120),
        "Fil": st.column_config.TextColumn(width="large"), **counts,
    })
    undoable = history[history["undoable"]]
    if not auth.may_edit(state.current_user()):
        return
    st.subheader("Ångra en laddning")
    if undoable.empty:
        st.markdown("Det finns ingen laddning att ångra. Exempel- och referensdata kan inte ångras.")
        return
    rows = {int(row.id): row for row in undoable.itertuples(index=False)}
    chosen = st.selectbox("Laddning", list(rows), format_func=lambda i: undo_choice(rows[i]), key="data_undo_choice")
    if st.button("Ångra vald laddning …", icon=":material/undo:"):
        st.session_state[KEY_UNDO] = chosen
    pending = st.session_state.get(KEY_UNDO)
    if pending is None:
        return
    if pending not in rows:
        st.session_state.pop(KEY_UNDO, None)
        return
    confirm_undo(pending, rows[pending].file_name)


def confirm_undo(load_id: int, file_name: str) -> None:
    """The confirmation step of an undo: the question, 'Ja, ångra' and 'Avbryt'."""
    st.warning(undo_question(load_id, file_name), icon=":material/undo:")
    buttons = st.container(horizontal=True)
    yes = buttons.button(f"Ja, ångra laddning {load_id}", type="primary", key="data_undo_confirm")
    if buttons.button("Avbryt", key="data_undo_cancel"):
        st.session_state.pop(KEY_UNDO, None)
        st.rerun()
    if yes:
        st.session_state.pop(KEY_UNDO, None)
        with refusals(show=False) as refused:  # shown after the rerun, like the success
            text = state.on_cursor(load.undo, load_id, user=state.current_user())
        st.session_state[KEY_MESSAGE] = (Message("warning", plain(refused.message)) if refused
                                         else Message("success", plain(text)))
        st.rerun()


def observation_template() -> bytes:
    """The observation template (.xlsx) for the database's catalogue, made when the user asks for it."""
    return template.template_xlsx(state.read_on_cursor(imports.catalogue))


def est_template() -> bytes:
    """The EST template (.xlsx) with the database's event categories, made when the user asks for it."""
    return template.est_template_xlsx(state.read_on_cursor(imports.catalogue))


def templates_section() -> None:
    """Mallar: the templates to download, made on the click."""
    st.markdown(
        "Mallarna är Excel-filer med en flik att fylla i, en flik med instruktioner och listor över "
        "giltiga indikatorer, områden och platser. En ifylld mall kan läsas in som den är."
    )
    left, right = st.columns(2)
    left.download_button(
        "Mall för indikatorvärden", observation_template, file_name="mall-indikatorvarden.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        "Mall för EST-rapporter", est_template, file_name="mall-est-rapporter.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        on_click="ignore",
    )


# --- Platsnamn: the place aliases police events are placed by -------------------------------------------


def aliases_frame(found: pd.DataFrame) -> pd.DataFrame:
    """The place_aliases query as the Platsnamn table: the name, its district and its place (empty: the whole area)."""
    rows = [(row.alias, row.district_name, _text(row.place_name) or WHOLE_DISTRICT)
            for row in found.itertuples(index=False)]
    return pd.DataFrame(rows, columns=ALIAS_COLUMNS)


def alias_choice(row: Any) -> str:
    """'Vällingby C → platsen Vällingby centrum i Hässelby-Vällingby' for the remove picker."""
    return f"{row.alias} → {aliases.target_text(row.district_name, _text(row.place_name) or None)}"


def alias_added_text(stored: dict[str, Any]) -> str:
    """The message after adding a name, with user text escaped for Markdown."""
    where = aliases.target_text(stored["district_name"], stored["place_name"])
    return (f"**Platsnamnet ”{plain(stored['alias'])}” är tillagt** och pekar på {plain(where)}. Det gäller "
            "händelser som läses in från och med nu.")


def alias_removed_text(stored: dict[str, Any]) -> str:
    """The message after removing a name, with user text escaped for Markdown."""
    return (f"**Platsnamnet ”{plain(stored['alias'])}” är borttaget.** Händelser som redan är inlästa behåller "
            "sin plats.")


def _district_names() -> dict[str, str]:
    """code -> name of the district areas in force today."""
    districts = state.query("current_districts", on=pd.Timestamp.today().date())
    return dict(zip(districts["code"], districts["name"], strict=True))


def _add_alias() -> None:
    """Button callback: add the name in the form; a refusal is kept to show under the form."""
    district = st.session_state.get(KEY_ALIAS_DISTRICT)
    with refusals(show=False) as refused:  # kept to show under the form
        stored = state.on_cursor(
            aliases.add_alias, user=state.current_user(), alias=st.session_state.get(KEY_ALIAS_NAME, ""),
            district=district or "", place=st.session_state.get(f"{KEY_ALIAS_PLACE}_{district}"),
        )
    if refused:
        st.session_state[KEY_ALIAS_REFUSED] = refused.message
        return
    st.session_state[KEY_MESSAGE] = Message("success", alias_added_text(stored))
    st.session_state[KEY_ALIAS_NAME] = ""
    st.session_state[KEY_ALIAS_FILTER] = stored["district"]  # show the list the name landed in


def _remove_alias(alias: str) -> None:
    """Button callback: remove the confirmed name."""
    st.session_state.pop(KEY_ALIAS_PENDING, None)
    with refusals(show=False) as refused:
        stored = state.on_cursor(aliases.remove_alias, user=state.current_user(), alias=alias)
    if refused:
        st.session_state[KEY_MESSAGE] = Message("warning", plain(refused.message))
        return
    st.session_state[KEY_MESSAGE] = Message("success", alias_removed_text(stored))


def alias_section() -> None:
    """Platsnamn: what the names do, the names of a district (or all), adding one and removing one."""
    st.markdown(ALIAS_EXPLANATION)
    st.markdown(ALIAS_FROM_NOW)
    names = _district_names()
    sidebar = selected_district()
    options = {ALL_DISTRICTS: "Alla stadsdelsområden", **names}
    if st.session_state.get(KEY_ALIAS_FILTER) not in options:
        st.session_state[KEY_ALIAS_FILTER] = sidebar if sidebar in options else ALL_DISTRICTS
    district = st.selectbox("Visa namnen för", list(options), format_func=lambda c: options[c],
                            key=KEY_ALIAS_FILTER)
    found = state.query("place_aliases", district=district)
    if found.empty:
        st.markdown("Inga platsnamn för det här stadsdelsområdet ännu.")
    else:
        st.dataframe(aliases_frame(found), hide_index=True, width="stretch")
        st.caption(f"{len(found)} namn.")
    if not auth.may_edit(state.current_user()):
        return
    add_alias_form(names, district or sidebar)
    if not found.empty:
        remove_alias_form(found)


def add_alias_form(names: dict[str, str], default: str | None) -> None:
    """The small form to add a name: the name as police texts write it, the district and maybe a place."""
    st.subheader("Lägg till ett namn")
    with st.container(border=True):
        st.text_input("Namn som det står i polisens text", key=KEY_ALIAS_NAME, max_chars=aliases.MAX_ALIAS_LENGTH,
                             placeholder="t.ex. Vällingby C", help="Med stor begynnelsebokstav, som i texten.")
        codes = list(names)
        district = st.selectbox("Stadsdelsområde", codes, format_func=lambda c: names[c], key=KEY_ALIAS_DISTRICT,
                                index=codes.index(default) if default in names else 0)
        places = state.query("district_places", district=district) if district else pd.DataFrame()
        place_names = {"": WHOLE_DISTRICT, **dict(zip(places.get("code", []), places.get("name", []), strict=True))}
        st.selectbox("Plats (frivillig)", list(place_names), format_func=lambda c: place_names[c],
                     key=f"{KEY_ALIAS_PLACE}_{district}")
        st.button("Lägg till namn", type="primary", icon=":material/add:", on_click=_add_alias)
        refused = st.session_state.pop(KEY_ALIAS_REFUSED, None)
        if refused:
            st.error(plain(refused), icon=":material/error:")


def remove_alias_form(found: pd.DataFrame) -> None:
    """Removing a name of the list shown, after a confirmation."""
    st.subheader("Ta bort ett namn")
    rows = {str(row.alias): row for row in found.itertuples(index=False)}
    chosen = st.selectbox("Namn", list(rows), format_func=lambda a: alias_choice(rows[a]), key=KEY_ALIAS_REMOVE)
    if st.button("Ta bort namn …", icon=":material/delete:"):
        st.session_state[KEY_ALIAS_PENDING] = chosen
    pending = st.session_state.get(KEY_ALIAS_PENDING)
    if pending is None:
        return
    if pending not in rows:
        st.session_state.pop(KEY_ALIAS_PENDING, None)
        return
    st.warning(f"**Ta bort platsnamnet ”{plain(pending)}”?** Händelser som läses in efter det kopplas inte längre "
               "via namnet; de som redan är inlästa behåller sin plats.", icon=":material/delete:")
    buttons = st.container(horizontal=True)
    buttons.button(f"Ja, ta bort ”{plain(pending)}”", type="primary", key="data_alias_remove_confirm",
                   on_click=_remove_alias, args=(pending,))
    if buttons.button("Avbryt", key="data_alias_remove_cancel"):
        st.session_state.pop(KEY_ALIAS_PENDING, None)
        st.rerun()
