"""service.version: what a face keeps between requests is read again whenever any record of the store changes."""

from __future__ import annotations

from cxscale.portfolio import open_store, service
from cxscale.portfolio.people import authenticate
from tests.portfolio import folio


def test_the_version_moves_with_every_sync_decision_and_readout(tmp_path, pilot_world):
    world, readout, plan = pilot_world
    people = [*folio.PEOPLE, {"id": "root", "name": "Root", "roles": ["admin", "council"], "os_user": "v-test"}]
    store = open_store(tmp_path / "p.db")
    try:
        assert service.version(store) == (0, 0, 0) and not store.exists()
        service.sync(store, folio.write_folder(tmp_path / "f", world, people=people), None)
        synced = service.version(store)
        assert synced[1] == 1 and synced[0] >= len(people)  # one use case; a role_change entry per person
        assert service.version(store) == synced  # reading changes nothing
        root = authenticate(store, None, user="v-test")
        service.attach_readout(store, "proactive-alerts", readout, root)
        attached = service.version(store)
        assert attached[2] == synced[2] + 1 and attached[:2] == synced[:2]  # attaching is not a log entry
        service.stop(store, "proactive-alerts", "no budget this year", root)
        assert service.version(store)[0] == attached[0] + 1
    finally:
        store.close()
