"""A real Spark standalone cluster on this machine for the `spark_cluster` tests: one master and two workers on
loopback, started from the PySpark package's own classes (bin/spark-class ...deploy.master.Master / .Worker), the
way docs/spark.md starts one by hand. Java 17 comes from the Makefile's system-deps.

    with SparkCluster(tmp) as cluster:
        connect(cluster.url)           # spark://127.0.0.1:PORT
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

WORKERS = 2
#: Each worker's share: one core and 1 GB of executor memory (the machine has two cores).
WORKER_CORES, WORKER_MEMORY = 1, "1g"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SparkCluster:
    """Start the master, then the workers; `url` once every worker has registered; stop() ends only these."""

    def __init__(self, workdir: Path, workers: int = WORKERS) -> None:
        self.workdir, self.workers = workdir, workers
        self.port, self.ui = _free_port(), _free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, *args: str) -> None:
        env = dict(os.environ, SPARK_HOME=str(spark_home()), SPARK_LOCAL_IP="127.0.0.1",
                   SPARK_WORKER_DIR=str(self.workdir / "work"), SPARK_LOG_DIR=str(self.workdir / "logs"))
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen([str(spark_home() / "bin" / "spark-class"), *args], env=env,
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def alive_workers(self) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui}/json/", timeout=2) as r:
                return int(json.load(r).get("aliveworkers", 0))
        except OSError:
            return 0

    def start(self, timeout: float = 120) -> SparkCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    str(self.port), "--webui-port", str(self.ui))
        for i in range(self.workers):
            self._start(f"worker-{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                        str(WORKER_CORES), "--memory", WORKER_MEMORY, "--webui-port", str(_free_port()), self.url)
        deadline = time.monotonic() + timeout
        while self.alive_workers() < self.workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                logs = "\n".join((self.workdir / f).read_text()[-1500:] for f in os.listdir(self.workdir)
                                 if f.endswith(".log"))
                self.stop()
                raise RuntimeError(f"the Spark cluster did not start ({self.alive_workers()} of {self.workers} "
                                   f"workers registered):\n{logs}")
            time.sleep(1)
        return self

    def stop(self) -> None:
        for p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.processes.clear()

    def __enter__(self) -> SparkCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
