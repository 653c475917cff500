#!/usr/bin/env python3
"""A reviewer at the workbench in a real browser: Debian's chromium, headless, driven by
chromium-driver through Selenium. Logs in, opens the batch, approves the clean ones with the
one-click button (accepting its confirm dialog), moves with j and k, compares the other
exception's original and master (c, t, the slider, z, a drag to pan, Esc), rejects one exception
with a note and a box dragged on its image, then waits (no reload) for a shot dropped meanwhile to
appear on the page. Exits non-zero with the reason, the page and the browser's console on any
failure; prints what it did as it goes.

  workbench_browser.py --base http://127.0.0.1:PORT --user rita --password PW --batch day-1
                       --clean ID,ID,... --reject ID --note TEXT --ready-file PATH
The caller drops a new shot into the batch's inbox once --ready-file exists.
"""
import argparse, json, os, sys, tempfile, time, traceback

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

T0 = time.time()


def say(msg):
    print(f"[{time.time() - T0:6.1f} s] {msg}", flush=True)


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              f"--user-data-dir={tempfile.mkdtemp(prefix='pp-selenium-')}"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The system's driver: Selenium Manager must not go looking for one on the network.
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=o)


def articles(d):
    return {a.get_attribute("id") for a in d.find_elements(By.CSS_SELECTOR, "article.asset")}


def article(d, asset_id):
    found = d.find_elements(By.ID, f"a-{asset_id}")
    return found[0] if found else None


def focused_article(d):
    """The article the keyboard is on: the focused element's article, or one marked current."""
    return d.execute_script("""
        const a = document.activeElement && document.activeElement.closest && document.activeElement.closest('article.asset');
        if (a) return a.id;
        const m = document.querySelector('article.asset[aria-current], article.asset[aria-selected="true"], article.asset.current, article.asset.focused, article.asset.selected, article.asset.focus');
        return m ? m.id : null;""")


def press(d, key):
    ActionChains(d).send_keys(key).perform()


def until(d, what, cond, timeout=30, poll=0.25):
    try:
        return WebDriverWait(d, timeout, poll_frequency=poll).until(lambda drv: cond(drv))
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def state(d, asset_id):
    """The card's stage and status as the page keeps them (data-stage, data-status); None when it left."""
    a = article(d, asset_id)
    return None if a is None else (a.get_attribute("data-stage") or "", a.get_attribute("data-status") or "")


def gone_or_rejected(d, asset_id):
    s = state(d, asset_id)
    return s is None or s[0] == "failed" or s[1] == "rejected"


def gone_or_approved(d, asset_id):
    s = state(d, asset_id)
    return s is None or s[0] in ("approved", "export") or s[1] == "approved"


def shown_layer(d, fx):
    """The compare layer a reviewer sees at `fx` across the drawn master, halfway down: the
    element the browser hits there (clip-path clips hits too), as 'master' or 'original' by the
    route of its src."""
    return d.execute_script("""
        const m = document.getElementById('compare-master'), r = m.getBoundingClientRect();
        const W = m.naturalWidth, H = m.naturalHeight, s = Math.min(r.width / W, r.height / H);
        const x = r.left + (r.width - W * s) / 2 + W * s * arguments[0], y = r.top + r.height / 2;
        const el = document.elementFromPoint(x, y);
        if (!el || el.tagName !== 'IMG') return el ? el.tagName + '#' + el.id : null;
        const route = new URL(el.currentSrc || el.src).pathname.split('/');
        return route[route.length - 1] + ' ' + new URL(el.currentSrc || el.src).pathname;""", fx)


def loaded(d, img_id, route=None):
    """The <img>'s src once it is loaded with pixels (naturalWidth > 0) from `route`, else None."""
    return d.execute_script("""
        const i = document.getElementById(arguments[0]);
        if (!i || !i.complete || !(i.naturalWidth > 0)) return null;
        return (!arguments[1] || new URL(i.src).pathname.endsWith(arguments[1])) ? i.src : null;""", img_id, route)


def crop_requests(d):
    """The crop URLs the page has fetched, from the Resource Timing entries."""
    return d.execute_script("""
        return performance.getEntriesByType('resource').map(e => e.name).filter(n => new URL(n).pathname.endsWith('/crop'));""")


def crop_at(url):
    from urllib.parse import urlparse, parse_qs
    q = parse_qs(urlparse(url).query)
    return int(q["x"][0]), int(q["y"][0])


def compare_and_zoom(a, d):
    """c opens the compare overlay on the current card; t and the toggle button switch between
    the original and the master; the slider's keys move the split; z zooms to 100 % (a crop made
    by the daemon), a drag pans it (a new crop); Esc closes the zoom, then the overlay."""
    target = d.execute_script("""
        const a = Array.from(document.querySelectorAll('article.asset')).find(x =>
            x.dataset.stage === 'review' && Number(x.dataset.masterW) > 0 && x.dataset.id !== arguments[0]);
        return a ? a.dataset.id : null;""", a.reject)
    assert target, "no other card in review with a master to compare"
    art = article(d, target)
    W, H = int(art.get_attribute("data-master-w")), int(art.get_attribute("data-master-h"))
    for _ in range(len(articles(d)) + 1):
        if focused_article(d) == f"a-{target}":
            break
        press(d, "j")
    assert focused_article(d) == f"a-{target}", f"j never reached a-{target}: on {focused_article(d)}"

    press(d, "c")
    until(d, "the compare overlay after c", lambda drv: drv.find_elements(By.CSS_SELECTOR, "dialog#compare[open]"), timeout=10)
    until(d, "the master to load in the overlay", lambda drv: loaded(drv, "compare-master", f"/img/{target}/master"))
    until(d, "the original to load in the overlay", lambda drv: loaded(drv, "compare-original", f"/img/{target}/original"))
    assert shown_layer(d, 0.5) == f"master /img/{target}/master", f"the overlay opens on the master: {shown_layer(d, 0.5)}"

    # Original / master: t, then the button back.
    press(d, "t")
    until(d, "t to show the original", lambda drv: shown_layer(drv, 0.5) == f"original /img/{target}/original", timeout=5)
    d.find_element(By.CSS_SELECTOR, '#compare [data-compare="toggle"]').click()
    until(d, "the toggle button to show the master again", lambda drv: shown_layer(drv, 0.5) == f"master /img/{target}/master", timeout=5)
    say(f"compare {target}: t shows the original, the button the master again")

    # The slider: 30 steps left from 100 leave the master on the left 70 % of the picture (as
    # drawn: a portrait master has margins beside it), the original on the right.
    slider = d.find_element(By.ID, "compare-slider")
    d.execute_script("arguments[0].focus()", slider)
    press(d, Keys.ARROW_LEFT * 30)
    until(d, "the slider at 70", lambda drv: slider.get_attribute("value") == "70", timeout=5)
    clip = d.execute_script("return getComputedStyle(document.getElementById('compare-master')).clipPath")
    assert clip not in ("", "none"), f"the master is not clipped with the slider at 70: {clip!r}"
    seen = {fx: shown_layer(d, fx) for fx in (0.1, 0.65, 0.75, 0.95)}
    assert all(seen[fx].startswith("master ") for fx in (0.1, 0.65)) and all(seen[fx].startswith("original ") for fx in (0.75, 0.95)), \
        f"split at 70 % of the picture: {seen}"
    assert art.get_attribute("class") and "current" in art.get_attribute("class"), "the compared card is the current one"
    press(d, Keys.END)
    until(d, "End to cover the original again", lambda drv: shown_layer(drv, 0.9).startswith("master "), timeout=5)
    say(f"slider: at 70 the master is clipped ({clip}); End covers the original again")

    # z: 100 % at the centre, a crop from the daemon.
    before = set(crop_requests(d))
    press(d, "z")
    side = min(512, W, H)
    want = (round(min(max(W / 2 - side / 2, 0), max(0, W - side))), round(min(max(H / 2 - side / 2, 0), max(0, H - side))))
    src = until(d, "the 100 % crop to load after z", lambda drv: loaded(drv, "zoom-img", "/crop"), timeout=30)
    assert d.find_element(By.ID, "zoom").is_displayed(), "the zoom is not shown"
    assert crop_at(src) == want, f"z zooms to the centre: crop at {crop_at(src)}, wanted {want} on {W}x{H}"
    made = set(crop_requests(d)) - before
    assert src in made, f"no crop request for {src} among {sorted(made)}"
    natural = d.execute_script("const i = document.getElementById('zoom-img'); return [i.naturalWidth, i.naturalHeight]")
    assert natural == [side, side], f"the crop is {natural}, not {side}x{side} (100 %)"
    say(f"z: crop at {crop_at(src)} ({natural[0]} px) loaded")

    # Drag to pan: the crop follows the pointer, and on release the next crop is asked for.
    dx, dy = -150, -100
    zoom_img = d.find_element(By.ID, "zoom-img")
    ActionChains(d).move_to_element(zoom_img).click_and_hold().move_by_offset(dx // 2, dy // 2).move_by_offset(dx - dx // 2, dy - dy // 2).perform()
    moving = d.execute_script("return document.getElementById('zoom-img').style.transform")
    ActionChains(d).release().perform()
    assert moving == f"translate({dx}px, {dy}px)", f"the crop does not follow the drag: transform {moving!r}"
    x0, y0 = crop_at(src)
    want = (min(max(x0 - dx, 0), W - side), min(max(y0 - dy, 0), H - side))
    assert want != (x0, y0), f"the master {W}x{H} leaves no room to pan from {(x0, y0)}"
    panned = until(d, "the panned crop to load", lambda drv: (lambda s2: s2 if s2 and s2 != src else None)(loaded(drv, "zoom-img", "/crop")), timeout=30)
    assert crop_at(panned) == want, f"dragging by {(dx, dy)} from {(x0, y0)} should ask for {want}, asked {crop_at(panned)}"
    assert panned in crop_requests(d), f"no request for the panned crop {panned}"
    until(d, "the drag offset to be dropped once the new crop shows",
          lambda drv: drv.execute_script("return document.getElementById('zoom-img').style.transform") == "", timeout=5)
    say(f"pan by {(dx, dy)}: crop {(x0, y0)} -> {crop_at(panned)}")

    # Esc closes the zoom first, then the overlay.
    press(d, Keys.ESCAPE)
    until(d, "Esc to close the zoom", lambda drv: not drv.find_element(By.ID, "zoom").is_displayed(), timeout=5)
    assert d.find_elements(By.CSS_SELECTOR, "dialog#compare[open]"), "the first Esc closed the overlay, not just the zoom"
    press(d, Keys.ESCAPE)
    until(d, "the second Esc to close the overlay", lambda drv: not drv.find_elements(By.CSS_SELECTOR, "dialog#compare[open]"), timeout=5)

    # z on the page itself opens the overlay on the current card straight at 100 %.
    press(d, "z")
    until(d, "z on the page to open the overlay zoomed", lambda drv: drv.find_elements(By.CSS_SELECTOR, "dialog#compare[open]")
          and drv.find_element(By.ID, "zoom").is_displayed(), timeout=10)
    again = until(d, "the crop after z on the page", lambda drv: loaded(drv, "zoom-img", "/crop"), timeout=30)
    assert f"/img/{target}/crop" in again and crop_at(again) == crop_at(src), f"z on the page zooms the current card's centre: {again}"
    press(d, Keys.ESCAPE)
    press(d, Keys.ESCAPE)
    until(d, "Esc Esc to close it", lambda drv: not drv.find_elements(By.CSS_SELECTOR, "dialog#compare[open]"), timeout=5)
    say("z on the page: the overlay opens at 100 % on the current card")
    return {"asset": target, "crops": [list(crop_at(src)), list(crop_at(panned))], "clip70": clip}


def run(a, d):
    # 1. Log in through the form.
    d.get(f"{a.base}/")
    until(d, "the login form", lambda drv: drv.find_elements(By.NAME, "password"))
    assert "/login" in d.current_url, d.current_url
    d.find_element(By.NAME, "user").send_keys(a.user)
    d.find_element(By.NAME, "password").send_keys(a.password)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit], form button").click()
    until(d, "the batches page after login", lambda drv: "/login" not in drv.current_url and drv.find_elements(By.CSS_SELECTOR, "meta[name=csrf-token]"))
    say(f"logged in as {a.user}: {d.current_url}")
    cookies = {c["name"]: c for c in d.get_cookies()}
    assert "pp_session" in cookies and cookies["pp_session"].get("httpOnly"), f"session cookie not HttpOnly: {cookies}"
    assert d.execute_script("return document.cookie").find("pp_session") < 0, "the page's script can read the session cookie"

    # 2. Open the batch from the batches page.
    links = [l for l in d.find_elements(By.CSS_SELECTOR, "a[href]") if l.get_attribute("href").rstrip("/").endswith(f"/batch/{a.batch}")]
    assert links, f"no link to /batch/{a.batch} on {d.current_url}"
    links[0].click()
    until(d, "the batch page's assets", lambda drv: len(articles(drv)) >= len(a.clean) + 1)
    shown = articles(d)
    say(f"batch {a.batch}: {len(shown)} articles")
    for cid in a.clean + [a.reject]:
        assert f"a-{cid}" in shown, f"a-{cid} not on the page: {sorted(shown)}"

    # 3. Approve the clean ones with the one-click button; confirm.
    d.find_element(By.CSS_SELECTOR, '[data-action="approve-clean"]').click()
    WebDriverWait(d, 10).until(EC.alert_is_present())
    alert = d.switch_to.alert
    say(f"confirm: {alert.text!r}")
    assert str(len(a.clean)) in alert.text, f"the confirmation does not say how many: {alert.text!r}"
    alert.accept()
    until(d, "the approved assets to leave the waiting list",
          lambda drv: all(gone_or_approved(drv, cid) for cid in a.clean), timeout=60)
    assert not gone_or_approved(d, a.reject), "the exception was approved with the clean ones"
    say(f"approved {len(a.clean)} clean assets with one click")

    # 4. j and k move between articles.
    d.execute_script("document.activeElement && document.activeElement.blur && document.activeElement.blur()")
    press(d, "j")
    first = until(d, "an article focused after j", lambda drv: focused_article(drv))
    press(d, "j")
    second = until(d, "j to move on", lambda drv: (lambda f: f if f and f != first else None)(focused_article(drv)))
    press(d, "k")
    back = until(d, "k to move back", lambda drv: (lambda f: f if f and f != second else None)(focused_article(drv)))
    assert back == first, f"j j k should come back to {first}, is on {back}"
    say(f"j/k: {first} -> {second} -> {back}")

    # 5. Compare, on the exception that stays (the one to reject must not be the current card).
    compared = compare_and_zoom(a, d)

    # 6. Reject the exception: note, and a box dragged on its image in the dialog.
    art = article(d, a.reject)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", art)
    # A plain click on the button of a card that is not the current one, as a reviewer clicks.
    assert "current" not in (art.get_attribute("class") or ""), "the card to reject should not be the current one here"
    art.find_element(By.CSS_SELECTOR, '[data-action="reject"]').click()
    dialog = until(d, "the reject dialog (one click on Reject of a card that was not the current one)",
                   lambda drv: (drv.find_elements(By.CSS_SELECTOR, "dialog[open]") or [None])[0], timeout=10)
    dialog.find_element(By.TAG_NAME, "textarea").send_keys(a.note)
    img = until(d, "the dialog's image to load", lambda drv: next((i for i in dialog.find_elements(By.TAG_NAME, "img")
                                                                    if drv.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i)), None))
    # Where the master is drawn inside the <img> box (contained, centred), as the page computes it.
    g = d.execute_script("""
        const img = arguments[0], art = arguments[1], r = img.getBoundingClientRect();
        const W = Number(art.dataset.masterW), H = Number(art.dataset.masterH);
        const s = Math.min(r.width / W, r.height / H);
        return {ew: r.width, eh: r.height, dw: W * s, dh: H * s};""", img, art)
    assert g["dw"] > 40 and g["dh"] > 40, f"the image to draw on is drawn {g}"
    # From a quarter of the drawn master to its centre; offsets are from the element's centre.
    x0, y0 = round(-g["dw"] / 4), round(-g["dh"] / 4)
    ActionChains(d).move_to_element_with_offset(img, x0, y0).click_and_hold() \
        .move_by_offset(round(g["dw"] / 8), round(g["dh"] / 8)).move_by_offset(-x0 - round(g["dw"] / 8), -y0 - round(g["dh"] / 8)) \
        .release().perform()
    shown = d.find_element(By.ID, "reject-box") if d.find_elements(By.ID, "reject-box") else None
    assert shown is None or shown.is_displayed(), "the dragged box is not drawn"
    say(f"dragged a box on the master drawn {g['dw']:.0f}x{g['dh']:.0f}")
    submit = [b for b in dialog.find_elements(By.CSS_SELECTOR, 'button[type=submit], [data-action="confirm-reject"], [data-action="reject"]') if b.is_displayed()]
    assert submit, "no button to send the rejection in the dialog"
    submit[0].click()
    until(d, "the dialog to close", lambda drv: not drv.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    until(d, f"{a.reject} to show as rejected or leave the page", lambda drv: gone_or_rejected(drv, a.reject), timeout=60)
    say(f"rejected {a.reject} with a note and a box")

    # 7. No reload from here on: a shot dropped now must appear by the page's own live updates.
    d.execute_script("window.__ppNoReload = true")
    before = articles(d)
    with open(a.ready_file, "w") as f:
        f.write("ready\n")
    say("waiting for the shot dropped now to appear")
    new = until(d, "a new article from the live updates", lambda drv: articles(drv) - before, timeout=a.live_timeout, poll=0.5)
    say(f"appeared without a reload: {sorted(new)}")
    # It waits in review with its thumbnail shown (the card may have come while the shot was
    # still being retouched, before it had one).
    late = sorted(new)[0][2:]
    until(d, f"{late} to wait in review with its thumbnail loaded", lambda drv: drv.execute_script("""
        const a = document.getElementById('a-' + arguments[0]);
        const img = a && a.querySelector('img');
        return a && a.dataset.stage === 'review' && img && img.complete && img.naturalWidth > 0;""", late), timeout=a.live_timeout)
    assert d.execute_script("return window.__ppNoReload === true"), "the page was reloaded"
    say(f"{late} shows in review with its thumbnail")

    # Not the page's doing: the browser's own favicon request, and the new card's thumbnail
    # asked for before the shot had one (it shows now, checked above).
    errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE" and "/favicon.ico" not in e.get("message", "")
              and f"/img/{late}/thumb" not in e.get("message", "")]
    assert not errors, f"the page logged errors: {errors}"
    print("RESULT " + json.dumps({"approved": a.clean, "rejected": a.reject, "new": sorted(x[2:] for x in new), "jk": [first, second, back], "compared": compared}))



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--clean", required=True, help="ids the one-click approval must take, comma-separated")
    ap.add_argument("--reject", required=True)
    ap.add_argument("--note", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--live-timeout", type=float, default=60)
    a = ap.parse_args()
    a.clean = [x for x in a.clean.split(",") if x]
    d = browser()
    try:
        run(a, d)
    except Exception:
        traceback.print_exc()
        try:
            print(f"--- at {d.current_url}\n{d.page_source[:6000]}", file=sys.stderr)
            print(f"--- console\n{d.get_log('browser')}", file=sys.stderr)
        except Exception:
            pass
        sys.exit(1)
    finally:
        d.quit()


if __name__ == "__main__":
    main()
