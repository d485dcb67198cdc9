"""Spark in local mode: reads files itself, casts leniently, xxhash64, integer division and unix_micros; its window
frames have no EXCLUDE, and a row order needs an ordered window."""

from __future__ import annotations

import socket
import sys
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from cxscale.engine.dialect import Dialect, _floored, _one_or_four
from cxscale.errors import DataError
from cxscale.settings import Settings


def spark_session(settings: Settings) -> Any:
    """The process's Spark session in UTC (Java 17) on settings.spark_master (local mode, or a cluster's
    spark://HOST:PORT): the active one when it runs on that master, else one started with `settings` (a JVM holds
    one Spark context: a session on another master is stopped first, and the first connection's settings stay)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on install extras
        raise DataError("Spark engine needs pyspark: pip install 'cxscale[spark]'") from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        master, wanted = active.sparkContext.master or "", settings.spark_master
        if master == wanted or not (wanted.startswith("spark://") or master.startswith("spark://")):
            return active  # the same cluster, or local mode either way
        active.stop()
    if settings.spark_master.startswith("spark://"):
        _check_master(settings.spark_master)
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        session = (
            SparkSession.builder.master(settings.spark_master)
            .appName("cxscale")
            # A cluster's executors run Python (if at all) with the driver's interpreter, which must exist there.
            .config("spark.pyspark.python", sys.executable)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(settings.spark_partitions))
            .config("spark.driver.memory", settings.spark_memory)
            .config("spark.driver.host", settings.spark_host)
            .config("spark.driver.bindAddress", settings.spark_host)
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
    except (Py4JError, PySparkException) as exc:  # what Spark raises when the JVM cannot start a session there
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        where = "is a Spark master of the same version (4.0) listening there? " if \
            settings.spark_master.startswith("spark://") else ""
        raise DataError(f"{settings.spark_master}: Spark could not start a session: {first.strip()[:300]}; {where}"
                        "see docs/spark.md") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _check_master(master: str) -> None:
    """Refuse in one line a spark:// master that names no host and port, or where no master accepts a connection:
    Spark itself retries for a minute, then raises through Java's stack trace."""
    hosts = master.removeprefix("spark://").split(",")  # spark://a:7077,b:7077: masters with a standby
    problems = []
    for host_port in hosts:
        host, _, port = host_port.strip().rpartition(":")
        if not host or not port.isdigit():
            raise DataError(f"{master}: a Spark master is spark://HOST:PORT (e.g. spark://10.0.0.5:7077); "
                            "set --engine or CXSCALE_SPARK_MASTER so (docs/spark.md)")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=MASTER_TIMEOUT).close()
            return
        except OSError as exc:
            problems.append(f"{host}:{port} ({exc.strerror or type(exc).__name__})")
    raise DataError(f"{master}: no Spark master answers at {', '.join(problems)}; start the cluster's master, or "
                    "check --engine / CXSCALE_SPARK_MASTER (docs/spark.md)")


#: Seconds to wait for a Spark master's port to accept a connection.
MASTER_TIMEOUT = 5.0


class Spark(Dialect):
    backend_module = "ibis.backends.pyspark"
    reads_files = True

    @property
    def read_errors(self) -> tuple[type[Exception], ...]:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        return (*super().read_errors, PySparkException, Py4JJavaError)

    def read_csv_text(self, location: str, table_name: str | None = None, *, columns: list[str] | None = None,
                      delimiter: str = ",", encoding: str = "utf-8", skip_malformed: bool = False) -> Any:
        return self.con.read_csv(location, table_name=table_name, inferSchema=False, header=True, sep=delimiter,
                                 encoding=encoding)

    def with_row_number(self, table: Any, name: str = "_row") -> Any:
        # Spark needs an ordered window; monotonically_increasing_id() follows file order across partitions.
        return table.mutate(**{name: ibis.row_number().over(order_by=_monotonically_increasing_id()) + 1})

    def try_cast(self, text: Any, to: Any) -> Any:
        return text.try_cast(dt.dtype(to))

    def parse_timestamp(self, text: Any, fmt: str) -> Any:
        return _to_timestamp(text, _java_pattern(fmt))

    def local_to_utc(self, ts: Any, timezone: str) -> Any:
        return _to_utc_timestamp(ts, timezone).cast("timestamp('UTC')")

    def blank(self, text: Any) -> Any:
        from cxscale.engine.duckdb import _blank_by_bytes

        return _blank_by_bytes(text)

    def customer_key(self, customer_id: Any) -> Any:
        return _xxhash64(customer_id.cast("string"))

    def texts_hash(self, *texts: Any) -> Any | None:
        _one_or_four(texts)
        return _xxhash64(*texts) if len(texts) == 1 else _xxhash64_4(*texts)

    def epoch_seconds(self, ts: Any) -> Any:
        return self.floor_divide(_unix_micros(ts), 1_000_000, nonnegative=False)

    def epoch_float(self, ts: Any) -> Any:
        # Ibis's epoch_seconds() truncates to whole seconds here.
        return _unix_micros(ts).cast("float64") / 1e6

    def floor_divide(self, a: Any, b: int, nonnegative: bool = True) -> Any:
        return _floored(_div, a, b, nonnegative)

    def bit_or(self, value: Any) -> Any:
        # Ibis has no rule for Spark's bit_or.
        return _bit_or(value)


#: strptime directives -> Java DateTimeFormatter letters. Single letters (d, M, H) accept one or two digits, like
#: strptime does ("2023-06-01 7:29"); "yyyy"-style padding would reject unpadded values on Spark only.
_JAVA = {"%Y": "yyyy", "%y": "yy", "%m": "M", "%d": "d", "%H": "H", "%I": "h", "%M": "m", "%S": "s", "%f": "SSSSSS",
         "%p": "a", "%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%j": "D", "%z": "XX", "%Z": "z", "%%": "%"}


def _java_pattern(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        two = fmt[i:i + 2]
        if two in _JAVA:
            out.append(_JAVA[two])
            i += 2
        elif fmt[i].isalpha():
            out.append(f"'{fmt[i]}'")
            i += 1
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


@ibis.udf.agg.builtin(name="bit_or", signature=(("int64",), "int64"))
def _bit_or(value):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="div", signature=(("int64", "int64"), "int64"))
def _div(a, b):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="unix_micros")
def _unix_micros(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    ...


@ibis.udf.scalar.builtin(name="xxhash64", signature=(("string",), "int64"))
def _xxhash64(text):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="xxhash64", signature=(("string", "string", "string", "string"), "int64"))
def _xxhash64_4(a, b, c, d):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="monotonically_increasing_id", signature=((), "int64"))
def _monotonically_increasing_id():  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="to_timestamp", signature=(("string", "string"), "timestamp"))
def _to_timestamp(text, pattern):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="to_utc_timestamp", signature=(("timestamp", "string"), "timestamp"))
def _to_utc_timestamp(ts, tz):  # type: ignore[no-untyped-def]
    ...
