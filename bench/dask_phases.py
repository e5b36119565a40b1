"""Where `wvcir-dask`'s time goes: the analysis tasks, then the final merge on a worker, then
fetching the report, on a LocalCluster of 2 worker processes (started before timing).

    dask/.venv/bin/python bench/dask_phases.py WVCIR_BINARY DIRECTORY [REPEATS]
"""

import sys
import time


def main() -> None:
    from distributed import as_completed, wait

    from wvcir_dask.driver import analyze_task, expand, make_client, merge_task

    wvcir, directory = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    client, cluster = make_client(None, 2)
    inputs = expand([directory], wvcir)
    for _ in range(repeats):
        t0 = time.monotonic()
        futures = [client.submit(analyze_task, i, wvcir, [], pure=False) for i in inputs]
        for _f in as_completed(futures):
            pass
        t1 = time.monotonic()
        final = client.submit(merge_task, wvcir, True, False, *futures, pure=False)
        wait(final)
        t2 = time.monotonic()
        report, _ = final.result()
        t3 = time.monotonic()
        print(
            f"{len(inputs)} inputs: analysis tasks {t1 - t0:.2f} s, final merge on a worker {t2 - t1:.2f} s, "
            f"report to the client {t3 - t2:.2f} s ({len(report) / 1e6:.1f} MB)"
        )
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
