"""Routing: assign waiting contacts to available agents so that the expected resolutions (or the expected handle
seconds) of the whole batch are best, under skill constraints (docs/capabilities.md#routing).

It is the linear assignment problem (Hungarian / Jonker-Volgenant, scipy's linear_sum_assignment): contact c served by
agent a is worth sum_i P(intent i | c) * R[a, i], an agent may take only contacts whose most likely intent needs a
skill the agent has, and a batch with more contacts than agents leaves the rest waiting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cxscale.errors import CxscaleError

_FORBIDDEN = -1e9


@dataclass(frozen=True)
class Routing:
    """The pairs (contact index, agent index), the expected value of each pair, and the contacts left waiting."""

    pairs: tuple[tuple[int, int], ...]
    values: tuple[float, ...]
    waiting: tuple[int, ...]

    @property
    def total(self) -> float:
        return float(sum(self.values))


def route(intent_probs: np.ndarray, agent_value: np.ndarray, eligible: np.ndarray | None = None,
          minimise: bool = False) -> Routing:
    """Best assignment of contacts (rows of `intent_probs`, n_contacts x n_intents) to agents (rows of
    `agent_value`, n_agents x n_intents: predicted resolution probability, or handle seconds with minimise=True).

    eligible (n_agents x n_intents, bool): whether an agent has the skill an intent needs; a contact goes only to an
    agent eligible for its most likely intent. Pairs no agent may take are never returned: those contacts wait.
    """
    p = np.asarray(intent_probs, float)
    v = np.asarray(agent_value, float)
    if p.ndim != 2 or v.ndim != 2 or p.shape[1] != v.shape[1]:
        raise CxscaleError(f"routing: intent_probs {p.shape} and agent_value {v.shape} must share the intent axis")
    if not (np.isfinite(p).all() and np.isfinite(v).all()):
        raise CxscaleError("routing: probabilities and agent values must be finite")
    from scipy.optimize import linear_sum_assignment

    value = p @ v.T  # expected value of each (contact, agent) pair
    gain = -value if minimise else value
    if eligible is not None:
        e = np.asarray(eligible, bool)
        if e.shape != v.shape:
            raise CxscaleError(f"routing: eligible {e.shape} must have the shape of agent_value {v.shape}")
        allowed = e[:, p.argmax(1)].T  # contact x agent
        gain = np.where(allowed, gain, _FORBIDDEN)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    keep = gain[rows, cols] > _FORBIDDEN / 2
    pairs = tuple((int(r), int(c)) for r, c in zip(rows[keep], cols[keep], strict=True))
    served = {r for r, _ in pairs}
    return Routing(pairs, tuple(float(value[r, c]) for r, c in pairs),
                   tuple(i for i in range(p.shape[0]) if i not in served))


def skill_matrix(intents: Sequence[str], agent_skills: Sequence[set[str]], skill_of: Mapping[str, str]) -> np.ndarray:
    """Eligibility (n_agents x n_intents) from each agent's skills and the skill each intent needs."""
    return np.array([[skill_of.get(i, i) in skills for i in intents] for skills in agent_skills], bool)


def first_come(intent_probs: np.ndarray, agent_value: np.ndarray, eligible: np.ndarray | None = None) -> Routing:
    """The usual baseline: contacts in arrival order each take the first free eligible agent."""
    p, v = np.asarray(intent_probs, float), np.asarray(agent_value, float)
    free = list(range(v.shape[0]))
    pairs, values, waiting = [], [], []
    for c in range(p.shape[0]):
        top = int(p[c].argmax())
        a = next((a for a in free if eligible is None or eligible[a, top]), None)
        if a is None:
            waiting.append(c)
            continue
        free.remove(a)
        pairs.append((c, a))
        values.append(float(p[c] @ v[a]))
    return Routing(tuple(pairs), tuple(values), tuple(waiting))
