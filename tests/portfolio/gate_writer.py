"""A process that takes decisions through the service, for the kill and concurrency tests:
`python -m tests.portfolio.gate_writer URL advance PERSON GO` advances proactive-alerts to proof as PERSON once the
file GO exists and prints `ok SEQ` or `refused MESSAGE`; `... URL signoff - -` signs off for the three functions in
turn, forever, printing each committed entry's number as soon as the service returns."""

import itertools
import sys
import time
from pathlib import Path

from cxscale.errors import CxscaleError
from cxscale.portfolio import open_store, service

if __name__ == "__main__":
    url, mode, who, go = sys.argv[1:5]
    store = open_store(url)
    people = {p.id: p for p in service.people(store)}
    print("ready", flush=True)
    if mode == "advance":
        while not Path(go).exists():
            time.sleep(0.005)
        try:
            outcome = service.advance(store, "proactive-alerts", "proof", f"{who} takes the gate", people[who])
            print("ok", outcome.entry.seq, flush=True)
        except CxscaleError as exc:
            print("refused", exc, flush=True)
    else:
        owners = [("technology", "ana.souza"), ("operations", "bruno.lima"), ("commercial", "carla.mendes")]
        for function, person in itertools.cycle(owners):
            print(service.signoff(store, "proactive-alerts", function, people[person]).entry.seq, flush=True)
