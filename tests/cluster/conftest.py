"""The cluster test's fixtures: the whole cluster on loopback (tests/cluster/support.py), stopped at the end
whatever happens: on failure, on SIGTERM (make test-cluster runs pytest under `timeout`), and by a watchdog
that interrupts the test when it runs past CLUSTER_DEADLINE seconds.

The suite's autouse fixtures (tests/conftest.py) are replaced here by ones that do nothing: the cluster test
keeps the real clock (SeaweedFS checks request signatures against its own) and its own database."""
from __future__ import annotations

import _thread
import atexit
import os
import signal
import threading
from pathlib import Path

import pytest

from tests.cluster.support import Cluster

CLUSTER_DEADLINE = float(os.environ.get("PORTAL_CLUSTER_DEADLINE", 270))
# Only `make test-cluster` (which sets this) runs it: a plain `pytest` of the whole suite leaves it out.
collect_ignore = [] if os.environ.get("PORTAL_CLUSTER_TEST") == "1" else ["test_cluster.py"]


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """The cluster's tests keep the real clock. (This hook sees every test of the session: mark only ours.)"""
    for item in items:
        if item.path.resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.real_clock)


@pytest.fixture(autouse=True)
def _clean_database():
    """The suite's per-test truncation is not wanted: the cluster has a database of its own."""
    yield


@pytest.fixture(autouse=True)
def shop_clock():
    """The real clock: the cluster's processes run on it."""
    yield None


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    running = Cluster(folder)
    stopped = threading.Event()

    def stop_once():
        if not stopped.is_set():
            stopped.set()
            running.stop()

    def terminated(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}: stopping the cluster")

    def overdue():
        print(f"\nThe cluster test ran past {CLUSTER_DEADLINE:.0f} s: interrupting it", flush=True)
        _thread.interrupt_main()

    previous = signal.signal(signal.SIGTERM, terminated)
    atexit.register(stop_once)  # the last resort, if teardown never runs
    watchdog = threading.Timer(CLUSTER_DEADLINE, overdue)
    watchdog.daemon = True
    watchdog.start()
    try:
        running.start()
        yield running
    finally:
        watchdog.cancel()
        try:
            stop_once()
        finally:
            signal.signal(signal.SIGTERM, previous)
            print(f"\nCluster logs were in {folder} (removed with pytest's temporary folders)", flush=True)
