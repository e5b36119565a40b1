"""The driver: inputs to tasks, tasks to partial reports, partial reports merged in a tree.

Every input is one task: its bytes are streamed into ``wvcir analyze --partial -`` on a worker.
Partial reports are merged on the workers with ``wvcir merge --partial``, a batch at a time, in
the order they complete; the last merge writes the report. The merge is associative and
commutative (see the project's ``docs/partial-reports.md``), so the order in which inputs finish
changes nothing: the report equals one ``wvcir analyze`` run over the same inputs, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

#: Partial reports merged by one task: wide enough that the tree is shallow (each level costs a
#: transfer and a wvcir start), narrow enough that merges start while inputs are still analysed.
MERGE_FAN_IN = 16

#: Bytes copied at a time from an fsspec file into ``wvcir``'s standard input.
CHUNK = 1 << 20

#: Dask retries a task whose worker died this many times before the job fails.
RETRIES = 2

#: Extensions ``wvcir analyze`` searches directories for (each also with ``.gz``).
CAPTURE_EXTENSIONS = (".pcap", ".pcapng", ".cap")


class DriverError(Exception):
    """A failure of the job itself (not of one input): a usage error, a wvcir that cannot run."""


@dataclass(frozen=True)
class Input:
    """One input: the name the report gives it, where to read it, and why it cannot be read."""

    name: str
    #: ``local`` (a path opened by the worker), ``url`` (opened with fsspec), or ``error``.
    how: str
    error_kind: Optional[str] = None
    error_message: Optional[str] = None
    #: Where a worker opens a local input: its absolute path (workers have their own working
    #: directory; on several hosts, the path of a shared file system).
    location: Optional[str] = None
    #: Its size, as listed (for the progress line; the report counts what was read).
    size: int = 0


def is_url(text: str) -> bool:
    return "://" in text


def is_capture_name(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(CAPTURE_EXTENSIONS)


def expand(paths: Sequence[str], wvcir: str, follow: bool = False) -> list[Input]:
    """The inputs of ``paths``. Local paths are expanded by ``wvcir inputs`` itself, so that they
    are found and named exactly as ``wvcir analyze`` would; URLs by fsspec (a directory's
    capture files, sorted)."""
    local = [p for p in paths if not is_url(p)]
    urls = [p for p in paths if is_url(p)]
    if "-" in local:
        raise DriverError("standard input (`-`) cannot be shipped to workers; give paths or URLs")
    out: list[Input] = []
    if local:
        cmd = [wvcir, "inputs"] + (["--follow"] if follow else []) + ["--"] + local
        try:
            done = subprocess.run(cmd, capture_output=True, check=False)
        except OSError as e:
            raise DriverError(f"cannot run {wvcir}: {e}; give the wvcir binary with --wvcir") from e
        if done.returncode != 0:
            raise DriverError(f"`{' '.join(cmd)}` failed: {done.stderr.decode(errors='replace').strip()}")
        for line in done.stdout.decode().splitlines():
            item = json.loads(line)
            err = item.get("error")
            if err:
                out.append(Input(item["path"], "error", err["kind"], err["message"]))
            else:
                location = os.path.abspath(item["path"])
                try:
                    size = os.stat(location).st_size
                except OSError:
                    size = 0
                out.append(Input(item["path"], "local", location=location, size=size))
    for url in urls:
        out.extend(expand_url(url))
    return out


def expand_url(url: str) -> list[Input]:
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
        if fs.isdir(path):
            found = sorted(f for f in fs.find(path) if is_capture_name(f.rsplit("/", 1)[-1]))
            if not found:
                msg = "the directory holds no .pcap, .pcapng or .cap file (plain or .gz)"
                return [Input(url, "error", "no-captures", msg)]
            return [Input(fs.unstrip_protocol(f), "url", size=fs.size(f) or 0) for f in found]
        if not fs.exists(path):
            return [Input(url, "error", "not-found", "no such file or directory")]
        size = fs.size(path) or 0
    except Exception as e:  # noqa: BLE001 - any storage error is this input's error
        return [Input(url, "error", "io", f"cannot list: {e}")]
    return [Input(url, "url", size=size)]


def os_error_text(e: OSError) -> str:
    """An OS error worded as wvcir words it (Rust's ``io::Error``): ``Permission denied (os error 13)``."""
    if e.errno:
        return f"{os.strerror(e.errno)} (os error {e.errno})"
    return str(e)


def analyze_task(item: Input, wvcir: str, options: Sequence[str]) -> bytes:
    """On a worker: one input's partial report. An input that cannot be opened becomes its own
    error in the report, never a failed task."""
    base = [wvcir, "analyze", "--partial", "--progress", "never", *options, "--stdin-name", item.name]
    if item.how == "error":
        cmd = base + ["--stdin-error-kind", item.error_kind or "io", "--stdin-error", item.error_message or "", "-"]
        return run_wvcir(cmd, subprocess.DEVNULL)
    if item.how == "local":
        try:
            f = open(item.location or item.name, "rb")
        except OSError as e:
            cmd = base + ["--stdin-error", f"cannot open: {os_error_text(e)}", "-"]
            return run_wvcir(cmd, subprocess.DEVNULL)
        with f:
            # The file itself is wvcir's standard input: no copy through Python.
            return run_wvcir(base + ["-"], f)
    return analyze_url(item, base)


def analyze_url(item: Input, base: list[str]) -> bytes:
    import fsspec

    try:
        src = fsspec.open(item.name, "rb").open()
    except Exception as e:  # noqa: BLE001 - any storage error is this input's error
        cmd = base + ["--stdin-error", f"cannot open: {e}", "-"]
        return run_wvcir(cmd, subprocess.DEVNULL)
    copied = [0]
    failure: list[BaseException] = []
    proc = subprocess.Popen(base + ["-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed() -> None:
        try:
            with src:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    proc.stdin.write(chunk)
                    copied[0] += len(chunk)
        except BrokenPipeError:
            pass  # wvcir stopped reading (a damaged capture): its report says where
        except Exception as e:  # noqa: BLE001 - reported below; wvcir reports the cut stream
            failure.append(e)
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    err_text = []
    err_reader = threading.Thread(target=lambda: err_text.append(proc.stderr.read()), daemon=True)
    err_reader.start()
    out = proc.stdout.read()
    proc.wait()
    feeder.join()
    err_reader.join()
    if failure:
        print(f"wvcir-dask: {item.name}: reading stopped after {copied[0]} bytes: {failure[0]}", file=sys.stderr)
    check_status(proc.returncode, base, b"".join(err_text))
    return out


def run_wvcir(cmd: list[str], stdin) -> bytes:
    return run_wvcir_status(cmd, stdin)[0]


def run_wvcir_status(cmd: list[str], stdin) -> tuple[bytes, bool]:
    """wvcir's output, and whether every input was complete (exit status 0, not 1)."""
    done = subprocess.run(cmd, stdin=stdin, capture_output=True, check=False)
    check_status(done.returncode, cmd, done.stderr)
    return done.stdout, done.returncode == 0


def check_status(code: int, cmd: Sequence[str], stderr: bytes) -> None:
    # 0: complete; 1: written, some input incomplete (its error is in the report).
    if code not in (0, 1):
        raise DriverError(f"`{' '.join(cmd)}` exited with {code}: {stderr.decode(errors='replace').strip()}")


def merge_task(wvcir: str, final: bool, pretty: bool, *parts) -> tuple[bytes, bool]:
    """On a worker: partial reports (an analysis's bytes, or a merge's pair) merged into one; and
    whether every input was complete."""
    with tempfile.TemporaryDirectory(prefix="wvcir-dask-") as tmp:
        paths = []
        for i, p in enumerate(parts):
            data = p[0] if isinstance(p, tuple) else p
            path = os.path.join(tmp, f"{i}.partial")
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        cmd = [wvcir, "merge"] + ([] if final else ["--partial"]) + (["--pretty"] if pretty and final else []) + paths
        return run_wvcir_status(cmd, subprocess.DEVNULL)


class Progress:
    """Inputs done, bytes read and the rate, on one stderr line."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.done = self.bytes = 0
        self.started = time.monotonic()

    def add(self, nbytes: int) -> None:
        self.done += 1
        self.bytes += nbytes
        if self.enabled:
            secs = max(time.monotonic() - self.started, 1e-3)
            end = "\n" if self.done == self.total else ""
            print(
                f"\r\x1b[2Kwvcir-dask: {self.done}/{self.total} inputs, {self.bytes / 1e6:.1f} MB, "
                f"{self.bytes / 1e6 / secs:.1f} MB/s",
                end=end,
                file=sys.stderr,
                flush=True,
            )


def run(
    client,
    inputs: Sequence[Input],
    wvcir: str,
    options: Sequence[str] = (),
    pretty: bool = False,
    progress: bool = True,
    fan_in: int = MERGE_FAN_IN,
) -> tuple[bytes, bool]:
    """Analyses ``inputs`` on ``client``'s cluster: the report's bytes, and whether every input was
    read completely."""
    from distributed import as_completed

    if not inputs:
        raise DriverError("no inputs")
    job = uuid.uuid4().hex[:12]
    analyses = {
        client.submit(
            analyze_task, item, wvcir, list(options), key=f"wvcir-analyze-{job}-{i}", retries=RETRIES, pure=False
        ): item
        for i, item in enumerate(inputs)
    }
    shown = Progress(len(analyses), progress)
    merges: list = []
    batch: list = []
    merge_no = [0]

    def merge(parts: list, final: bool):
        merge_no[0] += 1
        key = f"wvcir-merge-{job}-{merge_no[0]}"
        return client.submit(merge_task, wvcir, final, pretty, *parts, key=key, retries=RETRIES, pure=False)

    # Merge batches as their analyses complete (any order gives the same report). The partial
    # reports stay on the workers; the client sees only that a task is done (or failed).
    for fut in as_completed(list(analyses)):
        if fut.status == "error":
            fut.result()  # raises the task's exception: the job failed, not one input
        shown.add(analyses[fut].size)
        batch.append(fut)
        # A full batch is merged at once, unless it is the last: the final merge takes it.
        if len(batch) == fan_in and shown.done < shown.total:
            merges.append(merge(batch, final=False))
            batch = []
    level = merges + batch
    while len(level) > fan_in:
        level = [merge(level[i : i + fan_in], final=False) for i in range(0, len(level), fan_in)]
    return merge(level, final=True).result()


def make_client(scheduler: Optional[str], local: Optional[int]):
    """A client of the scheduler at ``scheduler``, or of a new local cluster of ``local`` worker
    processes (one thread each: every task runs one wvcir process)."""
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=local or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster), cluster


def find_wvcir(given: Optional[str]) -> str:
    if given:
        return os.path.abspath(given) if os.sep in given else given
    found = shutil.which("wvcir")
    if not found:
        raise DriverError("no `wvcir` on PATH: give the binary with --wvcir PATH (the same path on every worker)")
    return found


def expand_and_run(
    paths: Iterable[str],
    wvcir: str,
    client,
    options: Sequence[str] = (),
    pretty: bool = False,
    progress: bool = True,
    follow: bool = False,
    on_inputs: Optional[Callable[[list[Input]], None]] = None,
) -> tuple[bytes, bool]:
    inputs = expand(list(paths), wvcir, follow)
    if on_inputs:
        on_inputs(inputs)
    return run(client, inputs, wvcir, options, pretty, progress)
