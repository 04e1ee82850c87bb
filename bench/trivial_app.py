"""The framework's floor for bench/load_room.py: a page whose live fragment reads nothing.

Same tick as the app's live views (``ATELIER_LIVE_INTERVAL`` seconds plus a random 0-25 % offset
drawn once per browser session, as in ui/live.py). ``ATELIER_TRIVIAL_FRAGMENTS`` (default 1) live
fragments per page, to compare with a page that has several live views (the canvas has five)."""
from __future__ import annotations

import datetime as dt
import os
import random

import streamlit as st

INTERVAL = float(os.environ.get("ATELIER_LIVE_INTERVAL", "2"))
FRAGMENTS = max(1, int(os.environ.get("ATELIER_TRIVIAL_FRAGMENTS", "1")))

if "offset" not in st.session_state:
    st.session_state["offset"] = random.uniform(0, 0.25)
every = round(INTERVAL * (1 + st.session_state["offset"]), 2)

st.title("Trivial live page")


def live(number: int) -> None:
    @st.fragment(run_every=every)
    def tick() -> None:
        st.text(f"{number}: {dt.datetime.now():%H:%M:%S}")

    tick()


for n in range(FRAGMENTS):
    live(n)
