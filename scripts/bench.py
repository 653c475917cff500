#!/usr/bin/env python3
"""photopipe benchmark: real daemon, real files, wall-clock figures.

Generates synthetic 24 MP studio JPEGs, drops them into a running photopiped
(release build) and prints: the machine, the bare decode time of one file,
per-image latency with the daemon's own overhead separated out (images sent one
at a time), median/p95 latency and throughput for a batch dropped at once, peak
RSS of supervisor and workers, and a 1,000-small-image drop for the
supervisor's memory. Not a test: it asserts nothing, it measures.

  scripts/bench.py [--batch 20] [--sequential 5] [--small 1000]
"""
import argparse, json, os, platform, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    vips = sh("pkg-config", "--modversion", "vips").strip()
    return f"{cpu}, {os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB, {platform.system()} {platform.release()}, libvips {vips}"


def vm_hwm_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        return [int(x) for x in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


class Daemon:
    def __init__(self, bin_dir, base, settle, extra=""):
        self.base, self.root, self.sock = base, f"{base}/root", f"{base}/ctl.sock"
        os.makedirs(base, exist_ok=True)
        cfg = f"{base}/photopipe.toml"
        with open(cfg, "w") as f:
            # No review sample: the benchmark waits for every image in export/.
            extra = extra.replace("[review]\n", "[review]\nsample_rate = 0\n") if "[review]\n" in extra else "[review]\nsample_rate = 0\n" + extra
            f.write(f'root = "{self.root}"\n[daemon]\nsocket = "{self.sock}"\nworkers = 2\n[watch]\nsettle_seconds = {settle}\n{extra}')
        self.log = open(f"{base}/daemon.log", "w")
        self.proc = subprocess.Popen([f"{bin_dir}/photopiped", "run", "--config", cfg], stderr=self.log, stdout=self.log)
        self.pipectl = f"{bin_dir}/pipectl"
        for _ in range(200):
            if subprocess.run([self.pipectl, "status", "--socket", self.sock], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        self.worker_peak = {}

    def sample_rss(self):
        for c in children(self.proc.pid):
            self.worker_peak[c] = max(self.worker_peak.get(c, 0), vm_hwm_kib(c))

    def stop(self):
        supervisor = vm_hwm_kib(self.proc.pid)
        self.sample_rss()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        return supervisor, max(self.worker_peak.values() or [0])


def wait_exported(daemon, names, t0s, poll=0.005, stall=120):
    """Polls export/default; returns name -> seconds from its drop to its export file appearing.
    Gives up when nothing new is exported for `stall` seconds."""
    out_dir = f"{daemon.root}/export/default"
    done, last_progress, last_rss = {}, time.time(), 0
    while len(done) < len(names) and time.time() - last_progress < stall:
        present = set(os.listdir(out_dir)) if os.path.isdir(out_dir) else set()
        now = time.time()
        for n in names:
            if n not in done and n in present:
                done[n] = now - t0s[n]
                last_progress = now
        if now - last_rss > 0.5:
            daemon.sample_rss(); last_rss = now
        time.sleep(poll)
    return done


def manifest_for(daemon, name):
    exp = f"{daemon.root}/export"
    for d in os.listdir(exp):
        p = f"{exp}/{d}/manifest.json"
        if os.path.exists(p):
            m = json.load(open(p))
            if m["sourceName"] == name:
                return m
    return None


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=20, help="24 MP images dropped at once")
    ap.add_argument("--sequential", type=int, default=5, help="24 MP images sent one at a time (overhead)")
    ap.add_argument("--small", type=int, default=1000, help="small images dropped at once (supervisor memory)")
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--retouch", action="append", default=[], metavar="'KEY = VALUE'",
                    help="a [retouch] line for the daemon's config, e.g. 'matte_threads = 1' (repeatable)")
    ap.add_argument("--channels", action="store_true",
                    help="export to eight channels (default + the demo's seven, with a catalogue) instead of default alone")
    a = ap.parse_args()

    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, capture_output=True)
    bin_dir = sh("swift", "build", "-c", "release", "--show-bin-path", cwd=ROOT).strip()
    base = tempfile.mkdtemp(prefix="photopipe-bench-")
    print(f"machine: {machine()}")
    print(f"build: release; settle_seconds = {a.settle}; workers = 2; vips_threads = 1")

    n24 = a.batch + a.sequential
    cam = f"{base}/camera24"
    t = time.time()
    sh(f"{bin_dir}/ppsample", "--out", cam, "--count", str(n24), "--width", "6000", "--height", "4000")
    files = sorted(os.listdir(cam))
    size_mb = statistics.mean(os.path.getsize(f"{cam}/{f}") for f in files) / 1e6
    print(f"input: {n24} synthetic 6000x4000 (24 MP) JPEGs, {size_mb:.1f} MB each (made in {time.time() - t:.0f} s)")

    decode = []
    for _ in range(5):
        t = time.perf_counter(); sh("vips", "avg", f"{cam}/{files[0]}"); decode.append(time.perf_counter() - t)
    print(f"bare decode of one file (vips avg, incl. process start): median {statistics.median(decode) * 1000:.0f} ms")

    extra = ""
    if a.channels:
        with open(f"{base}/catalog.csv", "w") as f:
            f.write("sku,asin,gtin,handle\n")
            for n in range(1001, 1001 + n24):
                f.write(f"SKU-{n},B0BENCH{n},,bench-{n}\n")
        extra = (f'[ingest]\ncatalog = "{base}/catalog.csv"\n[export]\nchannels = ["default", "amazon-main", "amazon-alt", '
                 '"shopify", "google", "meta-square", "instagram-portrait", "ebay"]\n')
    if a.retouch:
        extra += "[retouch]\n" + "\n".join(a.retouch) + "\n"
    print(f"channels: {'default + amazon-main, amazon-alt, shopify, google, meta-square, instagram-portrait, ebay' if a.channels else 'default'}")
    d = Daemon(bin_dir, f"{base}/d1", a.settle, extra=extra)
    os.makedirs(f"{d.root}/inbox/seq"); os.makedirs(f"{d.root}/inbox/batch")
    # Same filesystem as the inbox, so each drop is one rename.
    shutil.move(cam, f"{d.base}/camera24")
    cam = f"{d.base}/camera24"

    # 1. One at a time: latency = settle + image work + daemon overhead.
    seq_names, overheads, seq_lat, work_ms = files[:a.sequential], [], [], []
    for n in seq_names:
        t0 = {n: time.time()}
        os.rename(f"{cam}/{n}", f"{d.root}/inbox/seq/{n}")
        lat = wait_exported(d, [n], t0, poll=0.002)[n]
        time.sleep(0.2)
        m = manifest_for(d, n)
        worker = sum(h.get("workerMs") or 0 for h in m["history"]) / 1000
        seq_lat.append(lat); work_ms.append(worker)
        overheads.append(lat - a.settle - worker)
    print(f"\nsequential ({len(seq_names)} images, one at a time):")
    print(f"  latency drop->export median {statistics.median(seq_lat) * 1000:.0f} ms "
          f"= settle {a.settle * 1000:.0f} ms + worker image work median {statistics.median(work_ms) * 1000:.0f} ms "
          f"+ daemon overhead median {statistics.median(overheads) * 1000:.1f} ms (max {max(overheads) * 1000:.1f} ms)")
    steps = {}
    for n in seq_names:
        for h in manifest_for(d, n)["history"]:
            if h.get("workerMs"):
                steps.setdefault(h["step"], []).append(h["workerMs"])
    print("  worker time per step (median): " + ", ".join(f"{k} {statistics.median(v):.0f} ms" for k, v in steps.items()))

    # 2. A batch dropped at once.
    batch = files[a.sequential:]
    t0s = {}
    for n in batch:
        t0s[n] = time.time()
        os.rename(f"{cam}/{n}", f"{d.root}/inbox/batch/{n}")
    done = wait_exported(d, batch, t0s)
    lat = list(done.values())
    span = max(t0s[n] + done[n] for n in done) - min(t0s.values())
    print(f"\nbatch ({len(batch)} images dropped at once, {len(done)} exported):")
    print(f"  latency drop->export median {statistics.median(lat):.2f} s, p95 {pct(lat, 95):.2f} s")
    print(f"  throughput {len(done) / span * 60:.1f} images/min ({span:.1f} s for the batch)")
    sup, wrk = d.stop()
    print(f"  peak RSS: supervisor {sup / 1024:.1f} MB, largest worker {wrk / 1024:.1f} MB")

    # 3. 1,000 small images at once: the supervisor's memory stays flat.
    if a.small:
        small = f"{base}/d2-camera"
        t = time.time()
        sh(f"{bin_dir}/ppsample", "--out", small, "--count", str(a.small), "--width", "400", "--height", "300",
           "--views", "4")
        # 400 px images are below the default resolution gate; lower it so they flow to export.
        d2 = Daemon(bin_dir, f"{base}/d2", a.settle, extra="[review]\nmin_long_side = 100\n")
        shutil.move(small, f"{d2.base}/camera")
        names = sorted(os.listdir(f"{d2.base}/camera"))
        t0 = time.time()
        os.rename(f"{d2.base}/camera", f"{d2.root}/inbox/small")
        done = wait_exported(d2, names, {n: t0 for n in names}, poll=0.05)
        span = max(done.values()) if done else float("nan")
        failed = len(os.listdir(f"{d2.root}/failed"))
        sup, wrk = d2.stop()
        print(f"\nsmall ({a.small} images of 400x300 dropped at once as one folder):")
        print(f"  {len(done)} exported, {failed} failed, in {span:.1f} s ({len(done) / span * 60:.0f} images/min)")
        print(f"  peak RSS: supervisor {sup / 1024:.1f} MB (target <= 100 MB), largest worker {wrk / 1024:.1f} MB")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
