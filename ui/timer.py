"""The stage timer as the console and the sub-group page show it: the minutes and seconds left,
orange then red as the end nears, and whether it is paused or over. ``clock`` writes the time left
as ``MM:SS`` (the projector, which draws the timer larger, needs the same text)."""
from __future__ import annotations

import streamlit as st

from core.session import session_flow as flow
from ui.i18n import t


def clock(seconds: float) -> str:
    """``"04:05"``: minutes and seconds left (never below zero)."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def timer(state: flow.SessionState, facilitator: bool = False) -> None:
    """Draw the session's timer. The facilitator is also told when it runs and when none is set;
    a sub-group sees nothing without a timer."""
    remaining, colour, running = flow.timer_state(state)
    if not state.timer_duration_s:
        if facilitator:
            st.caption(t("flow.timer.none"))
        return
    shown = f":material/timer: {clock(remaining)}"
    st.markdown(f"### {shown if colour == 'normal' else f':{colour}[{shown}]'}")
    if not running:
        st.caption(t("flow.timer.over") if remaining == 0 else t("flow.timer.paused"))
    elif facilitator:
        st.caption(t("flow.timer.running"))


__all__ = ["clock", "timer"]
