"""Prioriterat område: one priority area of a district, each goal with its indicators' charts and statuses."""

import streamlit as st

from followup import series

from webapp import components, omrade, scope, state

district = components.selected_district() or ""
overview = state.query("goal_overview", district=district)

if overview.empty:
    st.title("Prioriterat område")
    components.empty_database_notice()
    st.stop()

options = omrade.area_options(overview)
area = scope.select("Prioriterat område", options, key=scope.AREA_KEY, default=next(iter(options)))
name = components.district_name(district) if district else ""
status = state.scope_status(district, "", scope_name=name)
event_months = state.query("scope_event_months", district=district, place="")
span = omrade.data_span(status.values, event_months)
first, last = scope.period_range(*span) if span else (None, None)
activities = state.query("scope_activities", district=district, place="")
comments = omrade.comment_lookup(state.query("latest_comments", district=district))
demo = state.is_demo()

st.title(components.plain(options[area]) + (f" – {components.plain(name)}" if name else ""))
omrade.area_status(status.areas.get(area))
goals = omrade.area_goals(overview, area)
if not goals:
    omrade.empty_area_notice(name)
omrade.goal_summary(goals, status.goals)
if first and last:
    omrade.period_note(first, last)
key = omrade.data_key(district)
indicators = {str(goal["goal_code"]): omrade.goal_indicators(status.indicators, goal["goal_code"]) for goal in goals}
plans = omrade.chart_plans(
    (*key, area), [row for rows in indicators.values() for row in rows], status.values, event_months, status.targets
)
for goal in goals:
    code = str(goal["goal_code"])
    omrade.goal_header(int(goal["priority_area_number"]), goal, status.goals.get(code))
    mine = omrade.goal_activities(activities, code)
    if not state.public_screen():  # on a public screen the comments and activities are not read at all
        omrade.comment_box(omrade.goal_comment(comments, code))
        omrade.activity_table(mine)
    for indicator in indicators[code]:
        omrade.indicator_section(
            indicator,
            status.assessments.get(indicator["code"]),
            plans[indicator["code"]],
            first=first,
            last=last,
            scope_name=series.scope_of(indicator["level"], name),
            activities=mine,
            comment=omrade.indicator_comment(comments, code, indicator["code"]),
            demo=demo,
            key=omrade.chart_key(code, indicator["code"]),
            figure_key=(*key, code, indicator["code"]),
        )
