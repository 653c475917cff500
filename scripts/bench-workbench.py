#!/usr/bin/env python3
"""The review workbench with a big batch: a real photopiped (release build) on a root where one
batch of 500 assets waits in review, all clean (held for a person), with real masters and
thumbnails; reviewers use headless chromium (Selenium, chromium-driver) and plain HTTP.

Prints the machine, then:
  - the batch page: HTML size, and first contentful paint in chromium (navigation start to
    first-contentful-paint from the Performance API), median of 5, with DOMContentLoaded and load;
  - one-click approval of the 500: POST /api/approve-clean wall time, and the time until all
    500 are out of review/;
  - a 100 % crop (GET /img/<id>/crop?…&size=512): cold (made by the preview child) and cached,
    median and p95 over 30 each.

The root is built like scripts/bench-scale.py builds its roots: a few shots really processed
(held in review), then copied with new ids, SKUs and views; pixels are hard links.

  scripts/bench-workbench.py [--assets 500] [--paints 5] [--crops 30] [--no-build] [--bin-dir DIR] [--keep]

--bin-dir runs the photopiped, pipectl and ppsample found there (say, an older build kept aside)
instead of this checkout's release build.
"""
import argparse, copy, http.client, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse

import importlib.util
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

ROOT = bench.ROOT
BATCH = "shoot-500"
PASSWORD = "bench passphrase"


def build(no_build):
    if not no_build:
        lock = ["flock", "/tmp/photopipe-build.lock"] if shutil.which("flock") else []
        for product in ["photopiped", "pipectl", "ppsample"]:
            subprocess.run(lock + ["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, capture_output=True)
    return bench.sh("swift", "build", "-c", "release", "--show-bin-path", cwd=ROOT).strip()


def review_dirs(root):
    base = f"{root}/review"
    return [d for d in os.listdir(base) if os.path.exists(f"{base}/{d}/manifest.json")] if os.path.isdir(base) else []


def templates(bin_dir, work, count=6):
    """A few shots really retouched and held in review: their asset folders and manifests.
    6000x4000 (24 MP) like the studio's camera, so masters are big enough for a 512-pixel crop."""
    shots = f"{work}/template-shots"
    bench.sh(f"{bin_dir}/ppsample", "--out", shots, "--count", str(count), "--width", "6000", "--height", "4000")
    d = bench.Daemon(bin_dir, f"{work}/template", settle=0.3, extra="[review]\nhold = true\n")
    os.makedirs(f"{d.root}/inbox/t", exist_ok=True)
    for n in sorted(os.listdir(shots)):
        shutil.copy(f"{shots}/{n}", f"{d.root}/inbox/t/{n}")
    deadline = time.time() + 300
    while len(review_dirs(d.root)) < count and time.time() < deadline:
        time.sleep(0.2)
    d.stop()
    found = review_dirs(d.root)
    if len(found) < count:
        raise SystemExit(f"only {len(found)} of {count} template shots reached review; see {d.base}/daemon.log")
    out = []
    for aid in found:
        src = f"{d.root}/review/{aid}"
        m = json.load(open(f"{src}/manifest.json"))
        if (m.get("review") or {}).get("status") == "exception":
            continue
        out.append((src, m, f"{d.root}/{m['original']}"))
    return out


def build_root(root, size, tmpl):
    """One batch of `size` clean assets waiting in review (status held), pixels hard-linked."""
    for q in ["inbox", "ingested", "retouched", "generated", "review", "approved", "export", "failed"]:
        os.makedirs(f"{root}/{q}", exist_ok=True)
    os.makedirs(f"{root}/originals/{BATCH}", exist_ok=True)
    ids = []
    for i in range(size):
        src, m0, original = tmpl[i % len(tmpl)]
        sku, view = f"SKU-{200000 + i // 3}", i % 3 + 1
        aid = f"{sku}_{view:02d}-{i:010x}"
        m = copy.deepcopy(m0)
        name = f"{sku}_{view:02d}.jpg"
        m.update(id=aid, batch=BATCH, sku=sku, view=view, sourceName=name, original=f"originals/{BATCH}/{name}", sha256=f"{i:064x}",
                 outputs=[], duplicates=[])
        m["review"] = dict(m.get("review") or {}, status="held", reason="held: the batch waits for a person")
        for k in ("decidedBy", "decidedAt"):
            m["review"].pop(k, None)
        d = f"{root}/review/{aid}"
        os.makedirs(d)
        for f in os.listdir(src):
            if f != "manifest.json":
                os.link(f"{src}/{f}", f"{d}/{f}")
        os.link(original, f"{root}/originals/{BATCH}/{name}")
        with open(f"{d}/manifest.json", "w") as f:
            json.dump(m, f)
        ids.append(aid)
    return ids


class Site:
    """The workbench over plain HTTP, cookies kept by hand."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = f"pp_session={self.cookie}"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def login(self, user):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request("GET", "/login")
        r = c.getresponse()
        page = r.read().decode()
        kept = re.search(r"pp_login=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
        m = re.search(r'<input[^>]*name="csrf"[^>]*value="([^"]*)"', page) or re.search(r'<input[^>]*value="([^"]*)"[^>]*name="csrf"', page)
        token = m.group(1) if m else kept
        body = urllib.parse.urlencode({"user": user, "password": PASSWORD, "csrf": token})
        c.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"pp_login={kept}"})
        r = c.getresponse()
        r.read()
        if r.status != 303:
            raise SystemExit(f"login: {r.status}")
        self.cookie = re.search(r"pp_session=([^;]+)", ";".join(v for k, v in r.getheaders() if k.lower() == "set-cookie")).group(1)
        _, page = self.call("GET", "/")
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.decode()).group(1)

    def post(self, path, obj):
        return self.call("POST", path, body=json.dumps(obj), headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf})


def quiet(pid, timeout=180):
    """Waits until the daemon has no child but its workers (contact sheets, previews) for 2 s."""
    deadline, calm_since = time.time() + timeout, None
    while time.time() < deadline:
        others = []
        for c in bench.children(pid):
            try:
                argv = open(f"/proc/{c}/cmdline").read().split("\0")
            except OSError:
                continue
            if len(argv) < 2 or argv[1] != "worker":
                others.append(c)
        if others:
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since >= 2:
            return True
        time.sleep(0.2)
    return False


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              f"--user-data-dir={tempfile.mkdtemp(prefix='pp-bench-chrome-')}"]:
        o.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=o)


def paints(port, session_cookie, repeat):
    """First contentful paint, DOMContentLoaded and load of the batch page, ms from navigation start.
    The browser gets the session logged in over HTTP: what is measured is the page, not the login."""
    from selenium.webdriver.support.ui import WebDriverWait
    d = browser()
    try:
        base = f"http://127.0.0.1:{port}"
        d.get(f"{base}/healthz")
        d.add_cookie({"name": "pp_session", "value": session_cookie, "path": "/", "httpOnly": True, "sameSite": "Strict"})
        out = {"first contentful paint": [], "DOMContentLoaded": [], "load": [], "articles": []}
        for _ in range(repeat):
            d.get("about:blank")
            d.get(f"{base}/batch/{BATCH}")
            WebDriverWait(d, 120).until(lambda drv: drv.execute_script(
                "return document.readyState === 'complete' && performance.getEntriesByName('first-contentful-paint').length > 0"))
            t = d.execute_script("""
                const n = performance.getEntriesByType('navigation')[0];
                const p = performance.getEntriesByName('first-contentful-paint')[0];
                return [p.startTime, n.domContentLoadedEventEnd, n.loadEventEnd, document.querySelectorAll('article.asset').length];""")
            out["first contentful paint"].append(t[0])
            out["DOMContentLoaded"].append(t[1])
            out["load"].append(t[2])
            out["articles"].append(t[3])
        return out
    finally:
        d.quit()


def fmt(ms):
    return f"median {statistics.median(ms):8.1f} ms, p95 {bench.pct(ms, 95):8.1f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=500)
    ap.add_argument("--paints", type=int, default=5)
    ap.add_argument("--crops", type=int, default=30)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--bin-dir")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    bin_dir = os.path.abspath(a.bin_dir) if a.bin_dir else build(a.no_build)
    work = tempfile.mkdtemp(prefix="pp-workbench-")
    print(f"machine: {bench.machine()}")
    print(f"build: release; workers = 2; chromium {bench.sh('/usr/bin/chromium', '--version').split()[1]} headless via chromium-driver")
    tmpl = templates(bin_dir, work)
    print(f"templates: {len(tmpl)} assets really retouched and held in review")

    base = f"{work}/big"
    t = time.perf_counter()
    ids = build_root(f"{base}/root", a.assets, tmpl)
    print(f"root: one batch of {len(ids)} clean assets waiting in review (built in {time.perf_counter() - t:.1f} s)")
    hashed = subprocess.run([f"{bin_dir}/photopiped", "hash-password"], input=PASSWORD + "\n", capture_output=True, text=True, check=True).stdout.strip()
    port = bench_port()
    extra = (f'[review]\nhold = true\n[web]\nlisten = "127.0.0.1:{port}"\nsecure_cookies = false\n'
             f'[web.user.rita]\npassword = "{hashed}"\nrole = "reviewer"\n')
    d = bench.Daemon(bin_dir, base, settle=0.3, extra=extra)
    try:
        site = Site(port)
        deadline = time.time() + 120
        while True:
            try:
                if site.call("GET", "/healthz")[0].status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"the workbench did not answer; see {base}/daemon.log")
            time.sleep(0.1)
        quiet(d.proc.pid)
        site.login("rita")
        view = json.loads(site.call("GET", f"/api/batch/{BATCH}")[1])
        print(f"\n== batch page, {len(view['assets'])} assets ({view['cleanWaiting']} clean waiting)")
        html_ms, api_ms = [], []
        for _ in range(5):
            t = time.perf_counter(); r, html = site.call("GET", f"/batch/{BATCH}"); html_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter(); _, js = site.call("GET", f"/api/batch/{BATCH}"); api_ms.append((time.perf_counter() - t) * 1000)
        print(f"  HTML /batch/{BATCH}: {len(html) / 1024:.0f} KiB ({len(html):,} bytes), served in {fmt(html_ms)}")
        print(f"  JSON /api/batch/{BATCH}: {len(js) / 1024:.0f} KiB, served in {fmt(api_ms)}")
        p = paints(port, site.cookie, a.paints)
        for k in ["first contentful paint", "DOMContentLoaded", "load"]:
            v = p[k]
            print(f"  {k:24s} median {statistics.median(v):8.1f} ms (min {min(v):.1f}, max {max(v):.1f}; {len(v)} loads)")
        print(f"  articles on the page: {p['articles'][-1]}")

        print(f"\n== 100 % crop (size 512), {a.crops} assets; masters {view['assets'][0].get('master')}")
        master = view["assets"][0].get("master") or {"width": 1000, "height": 1000}
        x, y = master["width"] // 3, master["height"] // 3
        targets = [c["id"] for c in view["assets"][:a.crops]]
        cold, warm = [], []
        for aid in targets:
            t = time.perf_counter(); r, body = site.call("GET", f"/img/{aid}/crop?x={x}&y={y}&size=512"); cold.append((time.perf_counter() - t) * 1000)
            if r.status != 200:
                raise SystemExit(f"crop of {aid}: {r.status} {body[:200]}")
        for aid in targets:
            t = time.perf_counter(); site.call("GET", f"/img/{aid}/crop?x={x}&y={y}&size=512"); warm.append((time.perf_counter() - t) * 1000)
        print(f"  cold (not cached):    {fmt(cold)}; slowest {', '.join(f'{v:.0f}' for v in sorted(cold)[-3:])} ms; first {cold[0]:.0f} ms")
        print(f"  cached:               {fmt(warm)}")

        print(f"\n== one-click approval of {a.assets}")
        t0 = time.perf_counter()
        r, body = site.post("/api/approve-clean", {"batch": BATCH})
        post_s = time.perf_counter() - t0
        reply = json.loads(body)
        while True:
            left = [x for x in review_dirs(d.root) if x in set(ids)]
            if not left or time.perf_counter() - t0 > 600:
                break
            time.sleep(0.02)
        out_s = time.perf_counter() - t0
        print(f"  POST /api/approve-clean: {r.status} {reply.get('message')!r} in {post_s:.2f} s")
        print(f"  all {a.assets} out of review/ after {out_s:.2f} s ({len(left)} left)")
    finally:
        d.stop()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


def bench_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    main()
