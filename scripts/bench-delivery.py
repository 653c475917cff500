#!/usr/bin/env python3
"""Delivery benchmark: 200 exported files (about 500 KB each) to a local S3 server.

Starts SeaweedFS's S3 gateway (`weed mini`, from scripts/fetch-s3-server.sh) on
127.0.0.1, lays out a root whose export/ already holds N exported assets (random
500 KB files, as if a batch had just been exported), starts the release daemon
with an S3 target added, and sends `pipectl redeliver BATCH`: the daemon writes
the delivery records and uploads every file. Prints files/s, MB/s, the
concurrency, and the daemon's peak RSS (the uploads run in its delivery threads),
then the time a second redeliver takes when every object is already there.

  scripts/bench-delivery.py [--files 200] [--concurrency 4] [--no-build]
"""
import argparse, hashlib, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh, vm_hwm_kib  # noqa: E402


def free_block(n=9):
    while True:
        base = random.randint(20000, 45000)
        ok = True
        for p in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    sh(os.path.join(ROOT, "scripts/fetch-s3-server.sh"))
    if not a.no_build:
        sh("swift", "build", "-c", "release", "--product", "photopiped", cwd=ROOT)
        sh("swift", "build", "-c", "release", "--product", "pipectl", cwd=ROOT)
    bins = os.path.join(ROOT, ".build/release")
    work = tempfile.mkdtemp(prefix="bench-delivery-")
    port = free_block()
    with open(f"{work}/ids.json", "w") as f:
        json.dump({"identities": [{"name": "b", "credentials": [{"accessKey": "BENCH", "secretKey": "benchsecret"}],
                                   "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, f)
    os.makedirs(f"{work}/s3data")
    weed = subprocess.Popen([f"{ROOT}/.cache/bin/weed", "mini", f"-dir={work}/s3data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                             f"-s3.port={port}", f"-s3.config={work}/ids.json", "-admin.ui=false", "-webdav=false", "-bucket=bench",
                             f"-master.port={port + 1}", f"-master.port.grpc={port + 2}", f"-volume.port={port + 3}",
                             f"-volume.port.grpc={port + 4}", f"-filer.port={port + 5}", f"-filer.port.grpc={port + 6}",
                             f"-admin.port={port + 7}", f"-admin.port.grpc={port + 8}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    daemon = None
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        root = f"{work}/root"
        os.makedirs(f"{root}/export/default")
        rng = random.Random(1)
        total = 0
        for i in range(a.files):
            asset = f"SKU-{1000 + i // 4}_{i % 4 + 1:02d}-{i:010x}"
            name = f"SKU-{1000 + i // 4}_{i % 4 + 1:02d}.jpg"
            data = rng.randbytes(500_000 + rng.randint(-50_000, 50_000))
            total += len(data)
            with open(f"{root}/export/default/{name}", "wb") as f:
                f.write(data)
            os.makedirs(f"{root}/export/{asset}")
            m = {"version": 1, "id": asset, "batch": "bench", "sourceName": name, "original": f"originals/bench/{name}",
                 "sha256": "0" * 64, "bytes": 1, "sku": f"SKU-{1000 + i // 4}", "view": i % 4 + 1, "skuSource": "name",
                 "arrivedAt": "2026-11-29T12:00:00.000Z", "attempts": {}, "history": [], "duplicates": [],
                 "outputs": [{"channel": "default", "path": f"export/default/{name}", "bytes": len(data), "width": 2000,
                              "height": 2000, "sha256": hashlib.sha256(data).hexdigest()}]}
            with open(f"{root}/export/{asset}/manifest.json", "w") as f:
                json.dump(m, f)
        with open(f"{work}/keys", "w") as f:
            f.write("access_key_id = BENCH\nsecret_access_key = benchsecret\n")
        sock = f"{work}/ctl.sock"
        with open(f"{work}/photopipe.toml", "w") as f:
            f.write(f'root = "{root}"\n[daemon]\nsocket = "{sock}"\n[delivery]\nconcurrency = {a.concurrency}\n'
                    f'[delivery.target.s3]\ntype = "s3"\nendpoint = "http://127.0.0.1:{port}"\nbucket = "bench"\n'
                    f'credentials = "{work}/keys"\n')
        daemon = subprocess.Popen([f"{bins}/photopiped", "run", "--config", f"{work}/photopipe.toml"],
                                  stdout=subprocess.DEVNULL, stderr=open(f"{work}/daemon.log", "w"))
        pipectl = lambda *args: subprocess.run([f"{bins}/pipectl", *args, "--socket", sock], capture_output=True, text=True)
        for _ in range(200):
            if pipectl("status").returncode == 0:
                break
            time.sleep(0.05)

        def run():
            t0 = time.perf_counter()
            out = pipectl("redeliver", "bench")
            if out.returncode != 0:
                sys.exit(out.stderr)
            while True:
                st = json.loads(pipectl("status", "--json").stdout)["status"].get("deliveries", {})
                if st.get("delivered", 0) + st.get("failed", 0) >= a.files and st.get("pending", 0) == 0:
                    return time.perf_counter() - t0, st
                time.sleep(0.2)  # status reads every record: poll gently

        elapsed, st = run()
        peak = vm_hwm_kib(daemon.pid) / 1024
        print(f"machine: {machine()}")
        print(f"files: {a.files} × ~500 KB ({total / 1e6:.0f} MB) to SeaweedFS S3 on 127.0.0.1, delivery.concurrency = {a.concurrency}")
        print(f"delivered {st.get('delivered', 0)}, failed {st.get('failed', 0)} in {elapsed:.2f} s: "
              f"{a.files / elapsed:.1f} files/s, {total / 1e6 / elapsed:.1f} MB/s")
        print(f"peak RSS of the daemon (supervisor and its delivery threads): {peak:.1f} MB")
        # Everything is there now: a second pass only asks (HEAD) and sends nothing.
        subprocess.run(["sh", "-c", f"for f in {root}/deliveries/s3/*.json; do sed -i 's/\"delivered\"/\"pending\"/' $f; done"])
        daemon.send_signal(signal.SIGTERM); daemon.wait(60)
        daemon = subprocess.Popen([f"{bins}/photopiped", "run", "--config", f"{work}/photopipe.toml"],
                                  stdout=subprocess.DEVNULL, stderr=open(f"{work}/daemon2.log", "w"))
        t0 = time.perf_counter()
        for _ in range(200):
            if pipectl("status").returncode == 0:
                break
            time.sleep(0.05)
        while True:
            st = json.loads(pipectl("status", "--json").stdout)["status"].get("deliveries", {})
            if st.get("delivered", 0) + st.get("failed", 0) >= a.files and st.get("pending", 0) == 0:
                break
            time.sleep(0.2)
        print(f"restart with all {a.files} records pending and every object already there: settled in "
              f"{time.perf_counter() - t0:.2f} s (HEAD only, nothing uploaded again)")
    finally:
        if daemon:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(60)
        weed.send_signal(signal.SIGTERM)
        try:
            weed.wait(30)
        except subprocess.TimeoutExpired:
            weed.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
