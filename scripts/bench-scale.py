#!/usr/bin/env python3
"""How the daemon's answers and start-up scale with history: a real photopiped (release build)
on a root holding 10,000 and 100,000 assets, the way a studio's root looks after months.

For each size it prints: the first start (which writes the channel manifests) and a cold
restart with reconcile, supervisor RSS, the median and p95 of `status`, `list --limit 100`,
`review BATCH`, `exceptions --limit 100` and `deliveries` (a page of 100, the failed ones, one
batch's) over the control socket (and `pipectl status` as a process), and `status` while another client keeps asking for 1,000-asset pages and batch
summaries. Then a drop of fresh images onto an empty root and onto the 10,000-asset root,
and the ratio of their throughputs.

The roots are built from manifests of assets the daemon really made (a small batch first),
copied with new ids, batches and views: 92 % exported, 5 % waiting in review (2 % exceptions),
3 % failed, 500 assets a batch. Each exported asset has a delivery record at a folder target
(one in 50 with a file failed), as after months of deliveries; the drops deliver there too.

  scripts/bench-scale.py [--sizes 10000,100000] [--drop 2000] [--drop-size 1200x800] [--repeat 50]
"""
import argparse, copy, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

import importlib.util
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

ROOT = bench.ROOT


def request(sock_path, command, **fields):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(sock_path)
    s.sendall((json.dumps({"version": 1, "command": command, **fields}) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def fmt(ms):
    return f"median {statistics.median(ms):7.2f} ms, p95 {bench.pct(ms, 95):7.2f} ms"


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def templates(bin_dir, work):
    """Manifests of a few assets the daemon really processed."""
    shots = f"{work}/template-shots"
    bench.sh(f"{bin_dir}/ppsample", "--out", shots, "--count", "6", "--width", "1200", "--height", "800")
    d = bench.Daemon(bin_dir, f"{work}/template", settle=0.3)
    os.makedirs(f"{d.root}/inbox/t", exist_ok=True)
    names = sorted(os.listdir(shots))
    for n in names:
        shutil.copy(f"{shots}/{n}", f"{d.root}/inbox/t/{n}")
    deadline = time.time() + 120
    exp = f"{d.root}/export"
    while time.time() < deadline:
        found = [x for x in os.listdir(exp) if os.path.exists(f"{exp}/{x}/manifest.json")]
        if len(found) == len(names):
            break
        time.sleep(0.2)
    d.stop()
    return [json.load(open(f"{exp}/{x}/manifest.json")) for x in found]


def delivery_config(base):
    """A folder target: every root of the benchmark, empty or full, delivers the same way."""
    return f'[delivery.target.nas]\ntype = "folder"\npath = "{base}/nas"\n'


def delivery_record(m, failed):
    """The record of an exported asset at the folder target: delivered, or one file failed for good."""
    items = []
    for n, o in enumerate(m.get("outputs", [])):
        item = {"channel": o["channel"], "file": os.path.basename(o["path"]), "path": o["path"], "sha256": o["sha256"],
                "bytes": o["bytes"], "attempts": 1, "status": "delivered", "url": f"/srv/nas/{o['path']}"}
        if failed and n == 0:
            item.update(status="failed", url=None, error="cannot write /srv/nas: Permission denied")
        items.append(item)
    return {"asset": m["id"], "batch": m["batch"], "sku": m["sku"], "target": "nas", "items": items}


def build_root(root, size, tmpl):
    """A root with `size` assets: manifests only (no pixels), spread over batches and queues, and
    the delivery records of the exported ones."""
    os.makedirs(f"{root}/deliveries/nas", exist_ok=True)
    for q in ["inbox", "ingested", "retouched", "generated", "review", "approved", "export", "failed"]:
        os.makedirs(f"{root}/{q}", exist_ok=True)
    per_batch = 500
    for i in range(size):
        batch = f"shoot-{i // per_batch:04d}"
        sku = f"SKU-{100000 + i // 3}"
        view = i % 3 + 1
        aid = f"{sku}_{view:02d}-{i:010x}"
        m = copy.deepcopy(tmpl[i % len(tmpl)])
        m.update(id=aid, batch=batch, sku=sku, view=view, sourceName=f"{sku}_{view:02d}.jpg",
                 original=f"originals/{batch}/{sku}_{view:02d}.jpg", sha256=f"{i:064x}")
        for o in m.get("outputs", []):
            o["path"] = f"export/{o['channel']}/{sku}_{view:02d}.jpg"
        r = i % 100
        if r < 2:
            queue = "review"
            m["review"] = dict(m.get("review") or {}, status="exception", reason="sharpness: outline 1620 below the batch's 4990")
            m["outputs"] = []
        elif r < 5:
            queue = "review"
            m["review"] = dict(m.get("review") or {}, status="sampled", sampled=True, reason="sampled: one of the batch's review sample")
            m["outputs"] = []
        elif r < 8:
            queue = "failed"
            m["error"] = {"step": "retouch", "code": "no_product", "message": "No product found on the backdrop.",
                          "attempts": 1, "at": m["arrivedAt"]}
            m["outputs"] = []
        else:
            queue = "export"
        d = f"{root}/{queue}/{aid}"
        os.makedirs(d)
        with open(f"{d}/manifest.json", "w") as f:
            json.dump(m, f)
        if queue == "export":
            with open(f"{root}/deliveries/nas/{aid}.json", "w") as f:
                json.dump(delivery_record(m, failed=i % 50 == 8), f)


def start(bin_dir, base):
    """Starts the daemon; returns it and the seconds until it answered `status`."""
    t = time.perf_counter()
    d = bench.Daemon(bin_dir, base, settle=0.3, extra=delivery_config(base))
    while True:
        try:
            request(d.sock, "status")
            break
        except OSError:
            if d.proc.poll() is not None or time.perf_counter() - t > 300:
                raise SystemExit(f"the daemon did not come up; see {base}/daemon.log")
            time.sleep(0.05)
    return d, time.perf_counter() - t


def answers(d, repeat):
    sock = d.sock
    batch = "shoot-0003"
    out = {
        "status": timed(lambda: request(sock, "status"), repeat),
        "list --limit 100": timed(lambda: request(sock, "list", limit=100), repeat),
        "review BATCH": timed(lambda: request(sock, "review", batch=batch, limit=200), repeat),
        "exceptions --limit 100": timed(lambda: request(sock, "exceptions", limit=100), repeat),
        "deliveries --limit 100": timed(lambda: request(sock, "deliveries", limit=100), repeat),
        "deliveries --failed": timed(lambda: request(sock, "deliveries", failedOnly=True, limit=100), repeat),
        "deliveries --batch BATCH": timed(lambda: request(sock, "deliveries", batch=batch, limit=1000), repeat),
        "pipectl status (process)": timed(lambda: subprocess.run([d.pipectl, "status", "--socket", sock], capture_output=True), max(10, repeat // 5)),
    }
    # status while another client keeps the main loop busy with big answers
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            request(sock, "list", limit=1000)
            request(sock, "deliveries", limit=1000)
            request(sock, "batches")
            request(sock, "review")
    t = threading.Thread(target=hammer)
    t.start()
    time.sleep(0.2)
    out["status during big answers"] = timed(lambda: request(sock, "status"), repeat)
    stop.set()
    t.join()
    return out


def drop(bin_dir, base, shots, daemon=None):
    """Copies the shots into a daemon's inbox (a fresh one on an empty root unless given); returns
    the daemon, how many were exported, and the seconds until the last one was."""
    d = daemon or bench.Daemon(bin_dir, base, settle=0.3, extra=delivery_config(base))
    names = sorted(os.listdir(shots))
    os.makedirs(f"{d.root}/inbox/drop", exist_ok=True)
    t0 = time.time()
    for n in names:
        shutil.copy(f"{shots}/{n}", f"{d.root}/inbox/drop/{n}")
    t0s = {n: t0 for n in names}
    done = bench.wait_exported(d, names, t0s, poll=0.2)
    wall = max(done.values()) if done else float("nan")
    return d, len(done), wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--drop", type=int, default=2000, help="images in the drop onto an empty and a 10,000-asset root (0: skip)")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--drop-size", default="1200x800", help="WIDTHxHEIGHT of the dropped images (long side >= review.min_long_side, 1000, or they wait in review)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    subprocess.run(["swift", "build", "-c", "release", "--product", "photopiped"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "pipectl"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "ppsample"], cwd=ROOT, check=True, capture_output=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="pp-scale-")
    print(f"machine: {bench.machine()}")
    tmpl = templates(bin_dir, work)
    print(f"templates: {len(tmpl)} manifests of really processed assets")

    scale_roots = {}
    for size in [int(x) for x in args.sizes.split(",") if x]:
        base = f"{work}/n{size}"
        t = time.perf_counter()
        build_root(f"{base}/root", size, tmpl)
        print(f"\n== {size:,} assets on disk (built in {time.perf_counter() - t:.0f} s)")
        d, first = start(bin_dir, base)
        print(f"first start (writes the channel manifests): {first:.1f} s")
        d.stop()
        d, cold = start(bin_dir, base)
        s = request(d.sock, "status")["status"]
        print(f"cold start with reconcile: {cold:.2f} s; status counts {dict(sorted(s['stages'].items()))}")
        time.sleep(1)
        for name, ms in answers(d, args.repeat).items():
            print(f"  {name:28s} {fmt(ms)}")
        print(f"  supervisor RSS: {rss_mib(d.proc.pid):.0f} MiB")
        if size == 10000 and args.drop:
            scale_roots[size] = d
        else:
            d.stop()

    if args.drop:
        shots = f"{work}/drop-shots"
        w, h = args.drop_size.split("x")
        bench.sh(f"{bin_dir}/ppsample", "--out", shots, "--count", str(args.drop), "--width", w, "--height", h,
                 "--first-sku", "900001")
        empty, n0, wall0 = drop(bin_dir, f"{work}/empty", shots)
        empty.stop()
        print(f"\n== drop of {args.drop} images ({args.drop_size})")
        print(f"  empty root: {n0} exported in {wall0:.1f} s, {n0 / wall0:.2f} images/s")
        if 10000 in scale_roots:
            d = scale_roots[10000]
            _, n1, wall1 = drop(bin_dir, None, shots, daemon=d)
            d.stop()
            print(f"  10,000-asset root: {n1} exported in {wall1:.1f} s, {n1 / wall1:.2f} images/s")
            print(f"  throughput on the full root / empty root: {(n1 / wall1) / (n0 / wall0):.3f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
