"""``wvcir-dask``: the command line."""

from __future__ import annotations

import argparse
import sys

from .driver import DriverError, expand_and_run, find_wvcir, make_client

USAGE_EXAMPLES = """
examples:
  wvcir-dask --local 2 -o report.json captures/
  wvcir-dask --scheduler tcp://10.0.0.5:8786 --wvcir /opt/wvcir/bin/wvcir -o report.json s3://bucket/pcaps/

exit status: 0 every input read completely; 1 report written, some input incomplete or unreadable
(see inputs[].error); 2 usage error or the job failed.
"""


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="wvcir-dask",
        description="Run `wvcir analyze` on a Dask cluster, one task per input, and merge the partial "
        "reports into the report one `wvcir analyze` run would write.",
        epilog=USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="a running Dask scheduler")
    where.add_argument("--local", metavar="N", type=int, help="start a local cluster of N worker processes (default: one per core)")
    p.add_argument("--wvcir", metavar="PATH", help="the wvcir binary, at this path on every worker (default: wvcir on PATH)")
    p.add_argument("-o", "--output", metavar="REPORT", help="write the report here (default: stdout)")
    p.add_argument("--pretty", action="store_true", help="indent the JSON document")
    p.add_argument("-L", "--follow", action="store_true", help="follow symbolic links to directories")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="OPT",
        help="pass OPT to every `wvcir analyze` (e.g. --option=--tcp-ports=3716-3717,9000); repeatable",
    )
    p.add_argument("--progress", choices=["auto", "always", "never"], default="auto", help="progress on stderr")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="capture file, directory, or fsspec URL (file://, s3://, gs://)")
    args = p.parse_args(argv)
    if args.local is not None and args.local < 1:
        p.error("--local needs at least 1 worker")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        wvcir = find_wvcir(args.wvcir)
        client, cluster = make_client(args.scheduler, args.local)
    except DriverError as e:
        print(f"wvcir-dask: {e}", file=sys.stderr)
        return 2
    progress = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    try:
        report, complete = expand_and_run(
            args.inputs, wvcir, client, args.option, pretty=args.pretty, progress=progress, follow=args.follow
        )
    except DriverError as e:
        print(f"wvcir-dask: {e}", file=sys.stderr)
        return 2
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    try:
        if args.output:
            with open(args.output, "wb") as f:
                f.write(report)
        else:
            sys.stdout.buffer.write(report)
            sys.stdout.buffer.flush()
    except OSError as e:
        print(f"wvcir-dask: cannot write the report: {e}", file=sys.stderr)
        return 2
    if not complete:
        print("wvcir-dask: some inputs were not read completely; see inputs[].error in the report", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
