"""A writer process for the kill and concurrency tests: `python -m tests.portfolio.writer URL COUNT NAME [GO]`
appends COUNT decisions and prints each committed entry's number as soon as append returns; with GO, a file path, it
waits for that file first so that several writers start together."""

import sys
import time
from pathlib import Path

from cxscale.portfolio import append, open_store

if __name__ == "__main__":
    url, count, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    store = open_store(url)
    store.session().close()  # connect and migrate before the start signal
    print("ready", flush=True)
    while len(sys.argv) > 4 and not Path(sys.argv[4]).exists():
        time.sleep(0.01)
    for i in range(count):
        entry = append(store, actor=name, action="signoff", subject=f"initiative-{i % 3}",
                       reason=f"{name} signs off decision {i}", evidence={"readout": "ab" * 32})
        print(entry.seq, flush=True)
