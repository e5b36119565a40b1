"""wvcir-dask on a real LocalCluster and on a real loopback `dask scheduler` with two `dask worker`
processes, compared byte for byte with one `wvcir analyze` run.

The wvcir binary: $WVCIR_BIN, else the workspace's target/release/wvcir (the Rust test that runs
this suite builds it and sets $WVCIR_BIN).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wvcir_dask.driver import DriverError, expand, make_client, run

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "captures"
BIN_DIR = Path(sys.executable).parent


@pytest.fixture(scope="session")
def wvcir() -> str:
    path = os.environ.get("WVCIR_BIN") or str(ROOT / "target" / "release" / "wvcir")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no wvcir binary at {path}: build it (cargo build --release -p wvcir-analyzer) or set WVCIR_BIN")
    return path


@pytest.fixture(scope="session")
def client():
    c, cluster = make_client(None, 2)
    yield c
    c.close()
    cluster.close()


def analyze(wvcir: str, args: list[str], cwd: Path) -> tuple[int, bytes]:
    done = subprocess.run([wvcir, "analyze", "--progress", "never", *args], cwd=cwd, capture_output=True, check=False)
    return done.returncode, done.stdout


def test_a_local_cluster_gives_the_single_runs_report_byte_for_byte(wvcir, client, tmp_path, monkeypatch):
    # Inputs with every fate: a directory, a missing path, a directory with no capture, a
    # duplicate path; the same relative names as analyze gets.
    (tmp_path / "empty").mkdir()
    shutil.copytree(SAMPLES, tmp_path / "captures")
    monkeypatch.chdir(tmp_path)
    args = ["captures", "missing.pcap", "empty", "captures/udp-cir.pcap"]
    code, want = analyze(wvcir, args, tmp_path)
    assert code == 1, "a missing path and an empty directory make analyze exit 1"
    report, complete = run(client, expand(args, wvcir), wvcir, progress=False)
    assert not complete
    assert report == want
    kinds = [i["error"]["kind"] for i in json.loads(report)["inputs"] if i["error"]]
    assert sorted(kinds) == ["duplicate", "no-captures", "not-found"]
    pretty, _ = run(client, expand(["captures"], wvcir), wvcir, pretty=True, progress=False)
    assert pretty == analyze(wvcir, ["captures", "--pretty"], tmp_path)[1]


def test_urls_are_streamed_through_fsspec_and_unreadable_ones_are_their_own_error(wvcir, client, tmp_path):
    remote = tmp_path / "remote"
    remote.mkdir()
    shutil.copy(SAMPLES / "tcp-cir.pcapng", remote / "a.pcapng")
    (remote / "b.pcap.gz").write_bytes(gzip.compress((SAMPLES / "udp-cir.pcap").read_bytes()))
    inputs = expand([f"file://{remote}", f"file://{tmp_path}/nope.pcap", "nosuchprotocol://x/y.pcap"], wvcir)
    report, complete = run(client, inputs, wvcir, progress=False)
    assert not complete
    r = json.loads(report)
    by_path = {i["path"]: i for i in r["inputs"]}
    assert by_path[f"file://{remote}/a.pcapng"]["complete"] is True
    assert by_path[f"file://{remote}/b.pcap.gz"]["bytes"] > 0
    assert by_path[f"file://{tmp_path}/nope.pcap"]["error"]["kind"] == "not-found"
    assert by_path["nosuchprotocol://x/y.pcap"]["error"]["kind"] == "io"
    # The same CIRs as analyze finds in the local copies.
    local = json.loads(analyze(wvcir, [str(remote / "a.pcapng"), str(remote / "b.pcap.gz")], tmp_path)[1])
    assert r["summary"]["cir"] == local["summary"]["cir"] > 0
    strip = lambda sessions: [{k: v for k, v in s.items() if k != "inputs"} for s in sessions]  # noqa: E731
    assert strip(r["sessions"]) == strip(local["sessions"])


def test_standard_input_is_refused_with_a_reason(wvcir):
    with pytest.raises(DriverError, match="standard input"):
        expand(["-"], wvcir)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_loopback_scheduler_with_two_worker_processes(wvcir, tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN_DIR / "dask")
    log = open(tmp_path / "cluster.log", "wb")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=log,
            stderr=log,
        )
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                    stdout=log,
                    stderr=log,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            assert len(c.scheduler_info()["workers"]) == 2
        out = tmp_path / "report.json"
        done = subprocess.run(
            [str(BIN_DIR / "wvcir-dask"), "--scheduler", address, "--wvcir", wvcir, "-o", str(out), str(SAMPLES)],
            capture_output=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()
        assert out.read_bytes() == analyze(wvcir, [str(SAMPLES)], ROOT)[1]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()
