"""Keyboard use (WCAG 2.1 AA 2.1.1 Keyboard, 2.4.7 Focus visible): the main pages with Tab, Enter and arrows alone.

Per page, Tab is pressed from the start of the page until focus leaves the page. Every control the page's
users need (the navigation links, the district picker, the page's select boxes, segmented controls, tabs,
buttons, expanders and download menus) must take focus on the way, every element that takes focus must be
on screen and show it: a line around it (outline, box-shadow ring or border) that the unfocused element
does not have. A change of background tint alone does not count: Streamlit uses the same faint tint for the
mouse pointer, and it is not seen from three metres. Then a few tasks are done with the keyboard only:
another district in the picker, Mötesläge forward and back, the export expander, a chart's download menu
and the Data page's tabs.

Streamlit's own behaviour that the app cannot change is named where it is met (the README lists it):
- st.popover opened with Enter keeps focus on its button; its content (the download buttons) comes last in
  the Tab order, after every other control of the page (test_chart_download_menu_by_keyboard).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from e2e_support import ERROR_ELEMENTS, PAGE_TIMEOUT_MS, charts_drawn, open_page

HV = "omrade=H%C3%A4sselby-V%C3%A4llingby"
MAX_TABS = 400
"""A ceiling on Tab presses per page (the longest page has about 130 stops): more means focus is trapped."""
NAV_PAGES = ["Översikt", "Prioriterat område", "Platser", "Trender", "Handlingsplan", "Styrgruppen", "Mötesläge",
             "Data", "Hur räknas status?"]

Locate = Callable[[Any], Any]
"""A function from a Playwright page to a locator of one or more elements of a control."""


@dataclass(frozen=True)
class Control:
    """A control that Tab must reach: what the failure message calls it and how to find it on the page."""

    name: str
    find: Locate
    every: bool = False
    """True: every element found must take focus (the goal tiles' links); False: one of them is enough
    (a segmented control or a tab list takes focus at its chosen option and moves on with the arrow keys)."""


def by_role(role: str, name: str, *, every: bool = False, exact: bool = False) -> Control:
    """A control found by its ARIA role and accessible name."""
    return Control(f"{role} ”{name}”", lambda page: page.get_by_role(role, name=name, exact=exact), every)


def by_testid(testid: str, text: str = "", *, every: bool = False, inner: str = "") -> Control:
    """A control found by Streamlit's data-testid (holding text), or the `inner` element inside it."""

    def find(page: Any) -> Any:
        found = page.get_by_test_id(testid)
        if text:
            found = found.filter(has_text=text)
        return found.locator(inner) if inner else found

    return Control(f"{testid} ”{text}”" if text else testid, find, every)


NAVIGATION = [
    *(by_testid("stSidebarNavLink", title) for title in NAV_PAGES),
    by_role("combobox", "Stadsdelsområde", exact=True),
]
"""In the sidebar of every page but Mötesläge, whose sidebar starts collapsed."""


@dataclass(frozen=True)
class PageCheck:
    """A page to walk with Tab: its address, the start of its h1 and the controls Tab must reach."""

    path: str
    heading: str
    controls: Sequence[Control] = field(default_factory=list)


PAGES = [
    PageCheck("/", "Översikt", [
        *NAVIGATION,
        by_testid("stMain", inner="[data-testid=stPageLink-NavLink]", every=True),  # status help + 14 goal tiles
    ]),
    PageCheck(f"/omrade?{HV}&prio=2.%20Otrygga%20och%20brottsutsatta%20platser", "2. Otrygga och brottsutsatta", [
        *NAVIGATION,
        by_role("combobox", "Prioriterat område"),
        by_role("combobox", "Från"),
        by_role("combobox", "Till"),
        by_testid("stExpander", "Insatser i handlingsplanen", inner="summary", every=True),
        by_testid("stPopoverButton", "Ladda ner", every=True),
    ]),
    PageCheck(f"/platser?{HV}&plats=hasselby-torg&vy=Plats", "Platser", [
        *NAVIGATION,
        by_role("combobox", "Plats", exact=True),
        by_role("combobox", "Från"),
        by_role("combobox", "Till"),
        Control("flikarna", lambda page: page.get_by_role("tablist")),
        by_role("button", "Föregående plats"),
        by_role("button", "Nästa plats"),
    ]),
    PageCheck("/trender", "Trender", [
        *NAVIGATION,
        by_role("combobox", "Nyckeltal"),
        by_role("combobox", "Stadsdelsområden"),
        by_role("combobox", "Platser"),
        by_testid("stButtonGroup"),  # Nivå: Vecka/Månad/Tertial/År
        by_role("combobox", "Glidande medelvärde"),
        by_role("switch", "Per 1 000 invånare"),
        by_role("switch", "Förra årets linje"),
        by_testid("stExpander", "Siffrorna bakom diagrammet", inner="summary"),
    ]),
    PageCheck(f"/mote?{HV}&bild=2", "Översikt: målens status", [
        by_testid("stExpandSidebarButton"),  # the collapsed sidebar with the navigation opens from here
        by_role("button", "Föregående"),
        by_role("button", "Nästa"),
        by_role("combobox", "Gå till"),
        by_testid("stPopoverButton", "Välj möte"),
        by_testid("stExpander", "Exportera", inner="summary"),
    ]),
    PageCheck("/data", "Data", [
        *NAVIGATION,
        Control("flikarna", lambda page: page.get_by_role("tablist")),
        by_testid("stFileUploaderDropzone", inner="button"),
        by_role("combobox", "Typ av fil"),
        by_testid("stExpander", "Hur ska filen se ut?", inner="summary"),
    ]),
]
"""The main pages, each opened where its controls show (a place on Platser, a slide past the first in
Mötesläge so that both Föregående and Nästa are enabled)."""


# ---------------------------------------------------------------------------------------------------
# Focus indicators: pure comparison of what the browser computed (tested below without a browser)
# ---------------------------------------------------------------------------------------------------

def _px(value: str) -> float:
    """A CSS length in px as a number ('3px' -> 3.0; anything else -> 0)."""
    match = re.match(r"\s*([\d.]+)px", value or "")
    return float(match.group(1)) if match else 0.0


def indicator(focused: Sequence[Mapping[str, Any]], unfocused: Sequence[Mapping[str, Any]]) -> str | None:
    """The line that shows focus ('outline', 'ring' or 'border') on the element or its widget, or None.

    Both arguments hold one style per element from the focused element up to its widget (same order):
    outline_style, outline_width, outline_color, box_shadow, border_color, border_width, background and
    shown (false for an element that is not seen: hidden, transparent, or clipped to a pixel)."""
    for now, before in zip(focused, unfocused, strict=False):
        if not now["shown"]:
            continue
        if now["outline_style"] not in ("none", "hidden") and _px(now["outline_width"]) > 0 and (
            before["outline_style"] in ("none", "hidden") or _px(before["outline_width"]) == 0
            or now["outline_color"] != before["outline_color"] or now["outline_width"] != before["outline_width"]
        ):
            return "outline"
        if now["box_shadow"] != "none" and now["box_shadow"] != before["box_shadow"]:
            return "ring"
        if _px(now["border_width"]) > 0 and now["border_color"] != before["border_color"]:
            return "border"
    return None


@dataclass(frozen=True)
class Stop:
    """One element that took focus on the walk through a page."""

    name: str
    control: str | None
    on_screen: bool
    focused: list[dict[str, Any]]
    unfocused: list[dict[str, Any]] | None


def problems(stops: Sequence[Stop]) -> list[str]:
    """What is wrong with the stops: off screen, or no focus indicator (Swedish, one line each)."""
    found = []
    for number, stop in enumerate(stops, start=1):
        where = f"Tab {number}: {stop.name}"
        if not stop.on_screen:
            found.append(f"{where}: fokus hamnar utanför skärmen")
        elif stop.unfocused is not None and indicator(stop.focused, stop.unfocused) is None:
            found.append(f"{where}: fokus syns inte (ingen ram, kontur eller skugga)")
    return found


def unreached(controls: Mapping[str, int], stops: Sequence[Stop]) -> list[str]:
    """The marked controls (name -> how many of its elements must be reached) that Tab did not reach."""
    reached: dict[str, int] = {}
    for stop in stops:
        if stop.control:
            name = stop.control.split(" #", 1)[0]
            reached[name] = reached.get(name, 0) + 1
    return [name for name, needed in controls.items() if reached.get(name, 0) < needed]


def _style(shown: bool = True, **changes: str) -> dict[str, Any]:
    """An unfocused-looking style with some properties changed (for the tests of indicator())."""
    style: dict[str, Any] = {
        "outline_style": "none", "outline_width": "3px", "outline_color": "rgb(17, 17, 17)", "box_shadow": "none",
        "border_color": "rgba(17, 17, 17, 0.2)", "border_width": "1px", "background": "rgba(0, 0, 0, 0)",
        "shown": shown,
    }
    style.update(changes)
    return style


def test_indicator_needs_a_line_not_a_tint() -> None:
    plain = [_style(), _style()]
    assert indicator([_style(box_shadow="rgba(200, 16, 46, 0.5) 0px 0px 0px 4.4px"), _style()], plain) == "ring"
    assert indicator([_style(), _style(border_color="rgb(200, 16, 46)")], plain) == "border"  # the widget's frame
    assert indicator([_style(outline_style="solid", outline_color="rgb(200, 16, 46)"), _style()], plain) == "outline"
    assert indicator([_style(background="rgba(169, 169, 162, 0.15)"), _style()], plain) is None
    assert indicator(plain, plain) is None
    # an outline on a visually hidden element (a toggle's real checkbox) shows nothing
    assert indicator([_style(shown=False, outline_style="auto", outline_width="1px"), _style()], plain) is None
    # an outline that was there before focus is no indicator; an element without a border changes none
    assert indicator([_style(outline_style="solid")], [_style(outline_style="solid")]) is None
    assert indicator([_style(border_width="0px", border_color="red")], [_style(border_width="0px")]) is None


def test_problems_and_unreached_name_the_stop_and_the_control() -> None:
    ring = [_style(box_shadow="0 0 0 2px red")]
    stops = [
        Stop("Nästa", "knappen #1", True, ring, [_style()]),
        Stop("Översikt", "länkarna #1", True, [_style(background="grey")], [_style()]),
        Stop("Data", "länkarna #2", False, ring, [_style()]),
    ]
    assert problems(stops) == [
        "Tab 2: Översikt: fokus syns inte (ingen ram, kontur eller skugga)",
        "Tab 3: Data: fokus hamnar utanför skärmen",
    ]
    assert unreached({"knappen": 1, "länkarna": 2, "rubriken": 1}, stops) == ["rubriken"]
    assert unreached({"länkarna": 3}, stops) == ["länkarna"]


# ---------------------------------------------------------------------------------------------------
# The walk in the browser
# ---------------------------------------------------------------------------------------------------

START = """() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
    window.__kbd = {stops: []};
}"""
"""Start from the top of the page with nothing focused, as a fresh visit does."""

STYLE_JS = """
const __shown = (node) => {
    const rect = node.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) return false;
    if (!node.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    for (let up = node.parentElement; up; up = up.parentElement) {
        const css = getComputedStyle(up), box = up.getBoundingClientRect();
        if ((css.clipPath !== 'none' || css.clip !== 'auto') && (box.width <= 1 || box.height <= 1)) return false;
    }
    return true;
};
const __chain = (element) => {
    const out = [];
    for (let node = element, depth = 0; node && node.nodeType === 1 && depth < 8; node = node.parentElement, depth++) {
        const css = getComputedStyle(node);
        const sides = ['top', 'right', 'bottom', 'left'];
        out.push({
            outline_style: css.outlineStyle, outline_width: css.outlineWidth, outline_color: css.outlineColor,
            box_shadow: css.boxShadow,
            border_color: sides.map(s => css.getPropertyValue(`border-${s}-color`)).join(' '),
            border_width: Math.max(...sides.map(s => parseFloat(css.getPropertyValue(`border-${s}-width`)) || 0)) + 'px',
            background: css.backgroundColor, shown: __shown(node),
        });
        const testid = node.getAttribute('data-testid');
        if (testid === 'stElementContainer' || testid === 'stSidebarNavLinkContainer') break;
    }
    return out;
};
const __settle = () => Promise.all(document.getAnimations()
    .filter(a => a.effect?.getComputedTiming().endTime !== Infinity)  // not a spinner that never ends
    .map(a => a.finished.catch(() => null)));
"""
"""Shared JavaScript: whether an element is seen, its focus-relevant styles up to its widget, and a wait for
running CSS transitions (Streamlit fades focus rings in) so that styles are read at their end."""

STEP = "async () => {" + STYLE_JS + """
    await __settle();
    const el = document.activeElement;
    const kbd = window.__kbd;
    if (!el || el === document.body || el === document.documentElement) return {end: 'left'};
    if (kbd.stops.includes(el)) return {end: kbd.stops[0] === el ? 'wrapped' : 'trapped'};
    kbd.stops.push(el);
    const rect = el.getBoundingClientRect();
    const words = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        if (!walker.currentNode.parentElement.closest('[data-testid=stIconMaterial]')) words.push(walker.currentNode.data);
    }
    const text = el.tagName === 'MAIN' ? '' : words.join(' ').replace(/\\s+/g, ' ').trim().slice(0, 60);
    const testid = el.closest('[data-testid]')?.getAttribute('data-testid') || el.tagName.toLowerCase();
    return {
        name: `${testid} ”${el.getAttribute('aria-label') || text}”`,
        control: el.closest('[data-kbd]')?.getAttribute('data-kbd') || null,
        on_screen: rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0
            && rect.left < window.innerWidth && rect.top < window.innerHeight,
        focused: __chain(el),
    };
}"""
"""After a Tab: record the focused element (name, marked control, on screen, styles); or say why the walk ends."""

FINISH = "async () => {" + STYLE_JS + """
    document.activeElement?.blur();
    await __settle();
    return window.__kbd.stops.map(el => el.isConnected ? __chain(el) : null);
}"""
"""After the walk, with nothing focused: each stop's styles again, to compare with its focused ones."""


def mark(page: Any, controls: Sequence[Control]) -> dict[str, int]:
    """Mark each control's elements with data-kbd="name #n"; name -> how many of them Tab must reach."""
    needed = {}
    for control in controls:
        found = control.find(page)
        count = found.count()
        assert count > 0, f"{control.name} finns inte på sidan: kontrollen kan inte prövas"
        found.evaluate_all("(els, name) => els.forEach((el, i) => el.setAttribute('data-kbd', `${name} #${i + 1}`))",
                           control.name)
        needed[control.name] = count if control.every else 1
    return needed


def walk(page: Any) -> tuple[list[Stop], str]:
    """Press Tab from the top of the page until focus leaves it; every stop, and how the walk ended."""
    page.evaluate(START)
    raw: list[dict[str, Any]] = []
    end = "ceiling"
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        step = page.evaluate(STEP)
        if "end" in step:
            end = step["end"]
            break
        raw.append(step)
    unfocused = page.evaluate(FINISH)
    stops = [Stop(step["name"], step["control"], step["on_screen"], step["focused"], after)
             for step, after in zip(raw, unfocused, strict=True)]
    return stops, end


def settle(page: Any) -> None:
    """Wait until the script has finished its run and Plotly has drawn its charts (and their tool buttons, which
    take focus)."""
    charts_drawn(page)


def check_page(page: Any, check: PageCheck) -> list[str]:
    """Walk the page; the failures as lines (unreached controls, stops off screen or without indicator)."""
    assert page.get_by_role("heading", level=1).first.inner_text().startswith(check.heading)
    needed = mark(page, check.controls)
    stops, end = walk(page)
    failures = [f"Tab når inte {name}" for name in unreached(needed, stops)]
    if end in ("trapped", "ceiling"):
        failures.append(f"fokus fastnar efter {len(stops)} steg (slut: {end})")
    return failures + problems(stops)


@pytest.mark.parametrize("check", PAGES, ids=[check.path.split("?")[0] for check in PAGES])
def test_tab_reaches_every_control_with_a_visible_focus(browser: Any, dashboard_url: str, check: PageCheck) -> None:
    page = open_page(browser, dashboard_url + check.path)
    try:
        settle(page)
        failures = check_page(page, check)
        assert failures == [], f"tangentbord på {check.path}:\n" + "\n".join(failures)
    finally:
        page.close()


def test_the_walk_fails_on_a_control_that_takes_no_focus(browser: Any, dashboard_url: str) -> None:
    """The check can fail: the demo notice (text, no control) is reported as not reached."""
    page = open_page(browser, f"{dashboard_url}/data")
    try:
        settle(page)
        notice = Control("exempeldatarutan", lambda p: p.get_by_test_id("stAlert").filter(has_text="Exempeldata"))
        failures = check_page(page, PageCheck("/data", "Data", [*NAVIGATION, notice]))
        assert [line for line in failures if line.startswith("Tab når inte")] == ["Tab når inte exempeldatarutan"]
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------------
# Tasks done with the keyboard alone
# ---------------------------------------------------------------------------------------------------

def tab_to(page: Any, locator: Any, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element of `locator` (or an element inside it) has focus."""
    locator.first.evaluate("el => el.setAttribute('data-kbd-target', '')")
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("() => !!document.activeElement?.closest('[data-kbd-target]')"):
            locator.first.evaluate("el => el.removeAttribute('data-kbd-target')")
            return
    pytest.fail(f"Tab når inte {locator}")


def focused_text(page: Any) -> str:
    """The visible text of the focused element."""
    return page.evaluate("() => document.activeElement?.innerText || ''")


def test_district_chosen_with_the_keyboard(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, dashboard_url)
    try:
        page.evaluate(START)
        tab_to(page, page.get_by_role("combobox", name="Stadsdelsområde", exact=True))
        page.keyboard.type("Bromma")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Översikt – Bromma")).to_be_visible()
        page.wait_for_url(re.compile(r"[?&]omrade=Bromma\b"))
        assert page.locator(ERROR_ELEMENTS).count() == 0
    finally:
        page.close()


def test_meeting_stepped_with_the_keyboard(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/mote?{HV}&bild=1")
    try:
        settle(page)
        expect(page.get_by_text(re.compile(r"^1 av \d+$"))).to_be_visible()
        page.evaluate(START)
        tab_to(page, page.get_by_role("button", name="Nästa"))
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile(r"^2 av \d+$"))).to_be_visible()
        page.wait_for_url(re.compile(r"[?&]bild=2\b"))
        page.keyboard.press("ArrowRight")  # st.button's shortcut: the right arrow is Nästa
        expect(page.get_by_text(re.compile(r"^3 av \d+$"))).to_be_visible()
        tab_to(page, page.get_by_role("button", name="Föregående"), backwards=True)
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile(r"^2 av \d+$"))).to_be_visible()
        page.wait_for_url(re.compile(r"[?&]bild=2\b"))
        assert page.locator(ERROR_ELEMENTS).count() == 0
    finally:
        page.close()


def test_collapsed_sidebar_opened_with_the_keyboard(browser: Any, dashboard_url: str) -> None:
    """Mötesläge starts with the sidebar collapsed (out of the Tab order); Enter on » opens it and Tab then
    reaches its navigation and district picker."""
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/mote?{HV}&bild=1")
    try:
        settle(page)
        page.evaluate(START)
        tab_to(page, page.get_by_test_id("stExpandSidebarButton"))
        page.keyboard.press("Enter")
        picker = page.get_by_role("combobox", name="Stadsdelsområde", exact=True)
        expect(picker).to_be_visible()
        page.evaluate(START)
        tab_to(page, page.get_by_test_id("stSidebarNavLink").filter(has_text="Översikt"))
        tab_to(page, picker)
        assert page.evaluate("() => document.activeElement.getBoundingClientRect().left >= 0")
    finally:
        page.close()


def test_export_expander_opened_with_the_keyboard(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/mote?{HV}&bild=1")
    try:
        settle(page)
        expander = page.get_by_test_id("stExpander").filter(has_text="Exportera")
        prepare = page.get_by_role("button", name="Förbered exporten")
        expect(prepare).to_be_hidden()
        page.evaluate(START)
        tab_to(page, expander.locator("summary"))
        page.keyboard.press("Enter")
        expect(prepare).to_be_visible()
        page.keyboard.press("Tab")
        assert "Förbered exporten" in focused_text(page)
        page.keyboard.press("Enter")
        numbers = page.get_by_role("button", name="Siffrorna (Excel)")
        expect(numbers).to_be_visible(timeout=PAGE_TIMEOUT_MS)  # the whole meeting is built first
        settle(page)
        tab_to(page, numbers)  # the download buttons of the whole meeting are reached too
        assert page.locator(ERROR_ELEMENTS).count() == 0
    finally:
        page.close()


def test_chart_download_menu_by_keyboard(browser: Any, dashboard_url: str) -> None:
    """Enter opens a chart's 'Ladda ner' menu and Tab reaches its download buttons; Escape closes it and gives
    focus back. Streamlit leaves focus on the menu's button and puts the menu last in the Tab order."""
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/omrade?{HV}&prio=2.%20Otrygga%20och%20brottsutsatta%20platser")
    try:
        settle(page)
        menu_button = page.get_by_test_id("stPopoverButton").filter(has_text="Ladda ner").first
        page.evaluate(START)
        tab_to(page, menu_button)
        page.keyboard.press("Enter")
        body = page.get_by_test_id("stPopoverBody")
        expect(body).to_be_visible()
        tab_to(page, body.get_by_role("button", name="Excel"))
        page.keyboard.press("Tab")
        assert focused_text(page).strip().endswith("CSV")
        page.keyboard.press("Escape")
        expect(body).to_be_hidden()
        assert page.evaluate("() => document.activeElement?.closest('[data-testid=stPopoverButton]') !== null")
    finally:
        page.close()


def arrow_to(page: Any, current: Any, following: Any, *, attempts: int = 3) -> None:
    """Press ArrowRight on the focused tab CURRENT until FOLLOWING is selected, then let the page settle. Under heavy
    load the previous tab's rerun can end after the press and select its own tab again (Streamlit syncs the tab
    with the address); the keyboard user then presses again, and so does this."""
    from playwright.sync_api import expect

    for attempt in range(attempts):
        # the state the arrow acts on: CURRENT holds focus in its document (React Aria's flag; Playwright's
        # to_be_focused also asks that the window be active, which a loaded headless browser may not report)
        expect(current).to_have_attribute("data-focused", "true")
        page.keyboard.press("ArrowRight")
        try:
            expect(following).to_have_attribute("aria-selected", "true", timeout=5_000 if attempt < attempts - 1
                                                 else 30_000)
            break
        except AssertionError:
            if attempt == attempts - 1:
                raise
            settle(page)
            if following.get_attribute("aria-selected") == "true":
                break
            current.focus()
    settle(page)


def test_data_tabs_switched_with_the_arrow_keys(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/data")
    try:
        settle(page)
        page.evaluate(START)
        tab_to(page, page.get_by_role("tab", name="Läs in en fil"))
        tabs = page.get_by_role("tab")
        first = [text.strip() for text in tabs.all_inner_texts()].index("Läs in en fil")
        for step in (1, 2):  # each arrow opens the next tab and reruns the page (the tab is in the address)
            arrow_to(page, tabs.nth(first + step - 1), tabs.nth(first + step))
        expect(page.get_by_role("tab", name="Mallar")).to_have_attribute("aria-selected", "true")
        page.wait_for_url(re.compile(r"[?&]flik=Mallar\b"))
        page.keyboard.press("Tab")
        assert "Mall för indikatorvärden" in focused_text(page)
        page.keyboard.press("Tab")
        assert "Mall för EST-rapporter" in focused_text(page)
    finally:
        page.close()
