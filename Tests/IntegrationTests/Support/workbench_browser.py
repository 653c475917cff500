#!/usr/bin/env python3
"""A reviewer at the workbench in a real browser: Debian's chromium, headless, driven by
chromium-driver through Selenium. Logs in, opens the batch, approves the clean ones with the
one-click button (accepting its confirm dialog), moves with j and k, rejects one exception with
a note and a box dragged on its image, then waits (no reload) for a shot dropped meanwhile to
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

    # 5. Reject the exception: note, and a box dragged on its image in the dialog.
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

    # 6. No reload from here on: a shot dropped now must appear by the page's own live updates.
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
    print("RESULT " + json.dumps({"approved": a.clean, "rejected": a.reject, "new": sorted(x[2:] for x in new), "jk": [first, second, back]}))



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
