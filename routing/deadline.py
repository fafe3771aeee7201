"""Time budgets of expensive searches: a :class:`Deadline` checked inside their loops.

A server gives each request a budget (``REQUEST_BUDGET`` of the web app, 2 s by default); the loop
search (:func:`routing.loops.planner.plan_loop`), the climb-constrained search
(:func:`routing.constrained.constrained_path`) and the alternatives of :func:`routing.route`
check it between steps and stop cleanly — no thread is killed: they return the best they have
found (a loop result marked ``partial``, fewer alternatives, the least-climbing route that meets
``max_climb``), or raise :class:`parcs.BudgetExceededError` when they have nothing yet.
The command line passes no deadline: it waits for the full answer.

Examples
--------
>>> Deadline.after(60).expired()
False
>>> Deadline.after(0).expired()
True
>>> NEVER.expired()
False
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from parcs._errors import BudgetExceededError
from routing.fmt import fr_number

__all__ = ["NEVER", "Deadline"]


@dataclass(frozen=True)
class Deadline:
    """The moment (``time.monotonic()``) after which a search stops, and the budget it came from."""

    at: float
    budget: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now (``math.inf``: never)."""
        return cls(time.monotonic() + seconds, seconds)

    def share(self, fraction: float) -> Deadline:
        """The deadline of a first step that may use ``fraction`` of the budget, leaving the
        rest to the steps after it.

        >>> d = Deadline(at=10.0, budget=2.0).share(0.6)
        >>> round(d.at, 6), round(d.budget, 6)
        (9.2, 1.2)
        """
        return Deadline(self.at - (1.0 - fraction) * self.budget, fraction * self.budget)

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return time.monotonic() >= self.at

    def exceeded(self, what: str) -> BudgetExceededError:
        """The error of a search that ran out of time before finding anything (French)."""
        return BudgetExceededError(
            f"{what} : calcul interrompu au bout de {fr_number(self.budget, 1)} s (temps alloué "
            "à une demande) sans résultat ; réessayez avec moins de lieux de passage, une distance "
            "plus courte ou une seule variante"
        )


#: No budget (the command line, the catalogue of circuits).
NEVER = Deadline(math.inf, math.inf)
