"""``make loadtest``: N clients convert bench images through the served local stack for a fixed time.

Each client works like the SPA: create a job, POST the file to the signed form, poll until done, repeat.
Reported: jobs per minute, p50/p95 API latency (create, upload, status), p50/p95 time-to-result (upload start
→ done), errors, lost jobs (accepted but never finished — must be 0) and the server tree's peak memory.

``--kill-after S`` also SIGKILLs the whole server tree S seconds in and restarts it on the same data folder
and port; clients ride out the outage (those requests are counted apart), and every job accepted before or
after the kill must still complete. Not part of ``make test``: it is a measurement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.dataset import REPO, load_images

sys.path[:0] = [str(REPO / "tests" / "e2e"), str(REPO / "tests")]
from e2e_stack import LocalStack  # noqa: E402  (the helper the e2e tests start `img2xlsx serve` with)
from hardening.stackapi import process_tree, tree_memory_mb  # noqa: E402

OUT = REPO / "bench" / "out"
TERMINAL = ("done", "failed")


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(
        default_factory=lambda: {"create": [], "upload": [], "status": []}
    )
    time_to_result: list[float] = field(default_factory=list)
    accepted: dict[str, float] = field(default_factory=dict)  # job id → upload start
    finished: dict[str, str] = field(default_factory=dict)  # job id → done | failed
    errors: list[str] = field(default_factory=list)
    outage_errors: int = 0
    peak_tree_mb: float = 0.0
    peak_process_mb: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Outage:
    """Set while the server is down on purpose: connection errors then are expected and retried."""

    def __init__(self) -> None:
        self.down = threading.Event()
        self.window_end = 0.0

    def expected(self) -> bool:
        return self.down.is_set() or time.monotonic() < self.window_end


def _pick_images(n: int) -> list[tuple[str, bytes]]:
    images = [im for im in load_images(subset="synthetic") if im.image.suffix == ".png"]
    step = max(1, len(images) // n)
    return [(im.image.name, im.image.read_bytes()) for im in images[::step][:n]]


def _call(
    stats: Stats, outage: Outage, what: str, fn: Callable[[], httpx.Response], stop: float
) -> httpx.Response | None:
    """One request with latency recorded; retried through a planned outage, None if the run ends first."""
    while True:
        started = time.monotonic()
        try:
            reply = fn()
        except httpx.HTTPError as exc:
            with stats.lock:
                if outage.expected():
                    stats.outage_errors += 1
                else:
                    stats.errors.append(f"{what}: {type(exc).__name__}: {exc}")
            if time.monotonic() > stop:
                return None
            time.sleep(0.5)
            continue
        with stats.lock:
            stats.latency[what].append(time.monotonic() - started)
        return reply


def client_loop(
    base_url: str,
    images: list[tuple[str, bytes]],
    index: int,
    submit_until: float,
    drain_until: float,
    stats: Stats,
    outage: Outage,
) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        n = index
        while time.monotonic() < submit_until:
            name, data = images[n % len(images)]
            n += 1
            if not one_job(client, name, data, submit_until, drain_until, stats, outage):
                return


def one_job(
    client: httpx.Client,
    name: str,
    data: bytes,
    submit_until: float,
    drain_until: float,
    stats: Stats,
    outage: Outage,
) -> bool:
    """Create, upload, wait for the result; False when the run ended underway."""
    started = time.monotonic()
    request = {"filename": name, "contentType": "image/png", "size": len(data)}
    created = _call(stats, outage, "create", lambda: client.post("/api/jobs", json=request), submit_until)
    if created is None:
        return False
    if created.status_code != 201:
        stats.errors.append(f"create: HTTP {created.status_code} {created.text[:100]}")
        return True
    body = created.json()
    form, job_id = body["upload"], body["jobId"]
    files = {"file": (name, data, "image/png")}
    sent = _call(
        stats,
        outage,
        "upload",
        lambda: client.post(form["url"], data=form["fields"], files=files),
        submit_until,
    )
    if sent is None:
        return False
    if sent.status_code != 204:
        stats.errors.append(f"upload: HTTP {sent.status_code} {sent.text[:100]}")
        return True
    with stats.lock:
        stats.accepted[job_id] = started
    return wait_for(client, job_id, started, drain_until, stats, outage)


def wait_for(
    client: httpx.Client, job_id: str, started: float, until: float, stats: Stats, outage: Outage
) -> bool:
    while time.monotonic() < until:
        reply = _call(stats, outage, "status", lambda: client.get(f"/api/jobs/{job_id}"), until)
        if reply is None:
            return False
        if reply.status_code != 200:
            stats.errors.append(f"status: HTTP {reply.status_code} for an accepted job")
            return True
        status = reply.json()["status"]
        if status in TERMINAL:
            with stats.lock:
                stats.finished[job_id] = status
                if status == "done":
                    stats.time_to_result.append(time.monotonic() - started)
                else:
                    stats.errors.append(f"job failed: {reply.json().get('error')}")
            return True
        time.sleep(0.25)
    return False


def sample_memory(stack: LocalStack, stats: Stats, stop: threading.Event) -> None:
    while not stop.is_set():
        if stack.proc is not None and stack.proc.poll() is None:
            total, peak = tree_memory_mb(stack.proc.pid)
            with stats.lock:
                stats.peak_tree_mb = max(stats.peak_tree_mb, total)
                stats.peak_process_mb = max(stats.peak_process_mb, peak)
        stop.wait(0.5)


def run(args: argparse.Namespace, kill_after: float | None) -> dict[str, Any]:
    label = "kill/restart" if kill_after else "steady"
    data_dir = Path(args.data_dir or OUT / "loadtest") / label.replace("/", "-")
    if data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    stack = LocalStack(data_dir / "data", data_dir / "server.log", workers=args.workers).start()
    images = _pick_images(args.images)
    stats, outage, stop = Stats(), Outage(), threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(stack, stats, stop), daemon=True)
    sampler.start()
    began = time.monotonic()
    submit_until = began + args.seconds
    drain_until = submit_until + args.drain
    threads = [
        threading.Thread(
            target=client_loop, args=(stack.url, images, i, submit_until, drain_until, stats, outage)
        )
        for i in range(args.clients)
    ]
    for t in threads:
        t.start()
    restarts = 0
    in_flight = 0
    try:
        if kill_after:
            time.sleep(kill_after)
            assert stack.proc is not None
            killed = len(process_tree(stack.proc.pid))
            with stats.lock:
                in_flight = len(set(stats.accepted) - set(stats.finished))
            outage.down.set()
            stack.kill()
            print(
                f"  [{label}] SIGKILL of {killed} server processes at {kill_after:.0f}s with {in_flight} "
                "accepted job(s) unfinished; restarting",
                flush=True,
            )
            stack.start()
            restarts += 1
            outage.window_end = time.monotonic() + 2.0
            outage.down.clear()
        for t in threads:
            t.join()
        elapsed_submit = min(time.monotonic(), submit_until) - began
        # Jobs still open (their client ran out of time): poll them to the drain bound; what remains is lost.
        with httpx.Client(base_url=stack.url, timeout=60) as client:
            for job_id, started in list(stats.accepted.items()):
                if job_id not in stats.finished:
                    wait_for(client, job_id, started, drain_until, stats, outage)
    finally:
        stop.set()
        sampler.join()
        log = stack.log()
        stack.kill()
    lost = sorted(set(stats.accepted) - set(stats.finished))
    done = sum(s == "done" for s in stats.finished.values())
    result = {
        "run": label,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "images": len(images),
        "accepted": len(stats.accepted),
        "done": done,
        "failed": len(stats.finished) - done,
        "jobs_per_minute": round(done / (elapsed_submit / 60), 1) if elapsed_submit else 0.0,
        "api_latency_ms": {k: _pcts(v, 1000) for k, v in stats.latency.items()},
        "time_to_result_s": _pcts(stats.time_to_result, 1),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:5],
        "outage_retries": stats.outage_errors,
        "lost_jobs": len(lost),
        "lost_samples": lost[:5],
        "restarts": restarts,
        "unfinished_at_kill": in_flight,
        "peak_server_tree_mb": round(stats.peak_tree_mb),
        "peak_single_process_mb": round(stats.peak_process_mb),
        "tracebacks_in_log": log.count("Traceback"),
    }
    return result


def _pcts(values: list[float], scale: float) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=20, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 19
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered) * scale, 1),
        "p95": round(q[18] * scale, 1),
    }


def show(result: dict[str, Any]) -> None:
    lat = result["api_latency_ms"]
    ttr = result["time_to_result_s"]
    print(
        f"\n== loadtest: {result['run']} ({result['clients']} clients, {result['workers']} workers, "
        f"{result['seconds']}s, {result['images']} bench images)"
    )
    print(f"jobs accepted / done / failed:  {result['accepted']} / {result['done']} / {result['failed']}")
    print(f"jobs per minute:                {result['jobs_per_minute']}")
    for what in ("create", "upload", "status"):
        v = lat[what]
        print(f"API latency {what:<7} p50/p95:   {v.get('p50', '-')} / {v.get('p95', '-')} ms  (n={v['n']})")
    print(f"time to result p50/p95:         {ttr.get('p50', '-')} / {ttr.get('p95', '-')} s  (n={ttr['n']})")
    print(f"errors:                         {result['errors']} {result['error_samples'] or ''}")
    if result["restarts"]:
        print(f"jobs unfinished at the SIGKILL: {result['unfinished_at_kill']} (all must end done)")
        print(f"requests retried during outage: {result['outage_retries']}")
    print(f"lost jobs:                      {result['lost_jobs']} {result['lost_samples'] or ''}")
    print(
        f"peak memory, server tree:       {result['peak_server_tree_mb']} MB "
        f"(largest process {result['peak_single_process_mb']} MB)"
    )
    print(f"tracebacks in the server log:   {result['tracebacks_in_log']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="conversion processes of the served stack")
    ap.add_argument("--seconds", type=float, default=60, help="how long clients keep submitting")
    ap.add_argument("--drain", type=float, default=300, help="seconds allowed to finish open jobs afterwards")
    ap.add_argument("--images", type=int, default=12, help="bench images cycled through")
    ap.add_argument("--kill-after", type=float, default=None, help="also run with a SIGKILL at this second")
    ap.add_argument("--skip-steady", action="store_true", help="only the kill/restart run")
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    results = []
    if not args.skip_steady:
        results.append(run(args, None))
        show(results[-1])
    if args.kill_after:
        results.append(run(args, args.kill_after))
        show(results[-1])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "loadtest.json").write_text(json.dumps(results, indent=2))
    print(f"\n(written to {OUT / 'loadtest.json'})")
    bad = [r["run"] for r in results if r["lost_jobs"] or r["errors"] or r["tracebacks_in_log"]]
    if bad:
        print(f"FAILED: lost jobs, errors or tracebacks in: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
