"""Deterministic, seeded, realistic sample data (the core's generator).

>>> world = revcore.sample.generate(seed=7, leads=50)
>>> sorted(world)  # doctest: +SKIP
['accounts', 'contacts', 'content', 'content_events', 'events', 'leads', ...]
"""

from __future__ import annotations

from typing import Any

from revcore import _native
from revcore.types import World

__all__ = ["generate"]


def generate(seed: int = 7, **sizes: Any) -> World:
    """A sample world: lists of reps, teams, territories, accounts, contacts, leads,
    opportunities, content, events and content events, plus the pipeline, the same for the
    same seed and sizes in every host.

    ``sizes`` are the core's sample options: how many of each to make (``leads=500``,
    ``accounts=50``), ``events_per_lead``, ``end_date`` (a ``date`` or ``"YYYY-MM-DD"``).
    An unknown name raises ``revcore.ParseError``."""
    return _native.sample_generate({"seed": seed, **sizes})
