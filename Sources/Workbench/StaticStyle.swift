/// `GET /static/workbench.css`: the only style sheet (the CSP allows no inline style).
public enum StaticStyle {
    public static let contentType = "text/css; charset=utf-8"

    public static let source = #"""
/* photopipe review workbench: dense, quiet, status by colour. */
:root {
  --ink: #1d1f21;
  --muted: #5f6368;
  --line: #d5d8dc;
  --paper: #f4f5f7;
  --card: #fff;
  --exception: #c62828;
  --sampled: #e69100;
  --generated: #1e63c6;
  --focus: #6a1b9a;
  --ok: #2e7d32;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink);
  background: var(--paper);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--generated); }
h1 { font-size: 17px; margin: 0; }
h2 { font-size: 14px; margin: 0 0 6px; }
button {
  font: inherit;
  padding: 3px 9px;
  border: 1px solid #b9bdc2;
  border-radius: 4px;
  background: #fff;
  color: var(--ink);
  cursor: pointer;
}
button:hover:not(:disabled) { background: #eef1f4; }
button:disabled { opacity: .45; cursor: default; }
button.primary { background: var(--ok); border-color: var(--ok); color: #fff; }
button.primary:hover:not(:disabled) { background: #256b29; }
button.danger { background: var(--exception); border-color: var(--exception); color: #fff; }
kbd {
  font: 11px ui-monospace, SFMono-Regular, Menlo, monospace;
  padding: 0 4px;
  border: 1px solid var(--line);
  border-bottom-width: 2px;
  border-radius: 3px;
  background: #fff;
}

/* Header */
header.top {
  display: flex;
  align-items: center;
  gap: 12px;
  padding: 6px 14px;
  background: #23272e;
  color: #e8eaed;
}
header.top a.home { color: #fff; font-weight: 600; text-decoration: none; margin-right: auto; }
header.top .role { color: #aab0b8; }
header.top form.logout { margin: 0; }
header.top button { background: transparent; color: #e8eaed; border-color: #555c66; }

/* Status line */
p.status {
  position: fixed;
  left: 50%;
  bottom: 12px;
  transform: translateX(-50%);
  margin: 0;
  max-width: 80vw;
  padding: 6px 14px;
  border-radius: 4px;
  background: #23272e;
  color: #fff;
  z-index: 20;
}
p.status:empty { display: none; }
p.status.error { background: var(--exception); }

/* Login */
main.login { display: flex; justify-content: center; padding-top: 12vh; }
form.login {
  display: flex;
  flex-direction: column;
  gap: 10px;
  width: 300px;
  padding: 22px;
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 6px;
}
form.login label { display: flex; flex-direction: column; gap: 3px; color: var(--muted); }
form.login input { font: inherit; padding: 5px 7px; border: 1px solid #b9bdc2; border-radius: 4px; }
form.login .error { margin: 0; color: var(--exception); font-weight: 600; }

/* Batches */
main.batches { padding: 12px 14px; }
main.batches h1 { margin-bottom: 10px; }
section.admin { margin: 0 0 10px; display: flex; gap: 8px; align-items: center; }
section.admin .state { color: var(--muted); }
main[data-paused="true"] section.admin .state { color: var(--exception); font-weight: 600; }
main[data-paused="true"] [data-admin="pause"], main[data-paused="false"] [data-admin="resume"] { display: none; }
table.batches { border-collapse: collapse; width: 100%; background: var(--card); }
table.batches th, table.batches td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
table.batches thead th { font-weight: 600; color: var(--muted); background: #eceef1; }
table.batches .num { text-align: right; font-variant-numeric: tabular-nums; }
table.batches progress { width: 110px; vertical-align: middle; }
table.batches .progress-text { color: var(--muted); }
table.batches td.waits { color: var(--exception); font-weight: 600; }
table.batches td.idle { color: var(--muted); }
p.empty { color: var(--muted); }

/* Batch page */
main.batch { padding: 0 14px 60px; }
.toolbar {
  position: sticky;
  top: 0;
  z-index: 5;
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px 14px;
  padding: 8px 0;
  background: var(--paper);
  border-bottom: 1px solid var(--line);
}
.toolbar h1 a { color: var(--muted); text-decoration: none; }
.toolbar .keys { margin: 0; color: var(--muted); font-size: 12px; }
section.sku { margin: 12px 0 4px; }
section.sku > h2 { color: var(--muted); }
.cards {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
  gap: 8px;
}

article.asset {
  display: flex;
  flex-direction: column;
  gap: 4px;
  padding: 6px;
  background: var(--card);
  border: 2px solid var(--line);
  border-radius: 5px;
  outline: none;
}
article.asset[data-status="exception"] { border-color: var(--exception); }
article.asset[data-status="sampled"], article.asset[data-status="held"], article.asset.sampled { border-color: var(--sampled); }
article.asset[data-status="generated"], article.asset.variant { border-color: var(--generated); }
article.asset[data-status="exception"].variant { border-color: var(--exception); }
article.asset.variant { border-style: dashed; }
/* Left review (approved, rejected, exported, failed): greyed out until the page drops it. */
article.asset:not([data-stage="review"]) { opacity: .5; }
article.asset.current, article.asset:focus-visible { box-shadow: 0 0 0 3px var(--focus); opacity: 1; }

article.asset > img {
  display: block;
  width: 100%;
  aspect-ratio: 1 / 1;
  object-fit: contain;
  background: #fff;
  border: 1px solid #eceef1;
  cursor: zoom-in;
}
article.asset .head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; }
.badge, .tag {
  padding: 0 6px;
  border-radius: 9px;
  font-size: 11px;
  font-weight: 600;
  background: #e3e6ea;
  color: var(--ink);
}
article.asset[data-status="exception"] .badge { background: var(--exception); color: #fff; }
article.asset[data-status="sampled"] .badge, article.asset[data-status="held"] .badge, .tag { background: var(--sampled); color: #fff; }
article.asset[data-status="generated"] .badge { background: var(--generated); color: #fff; }
article.asset[data-status="approved"] .badge, article.asset[data-status="auto-approved"] .badge { background: var(--ok); color: #fff; }
article.asset .view { font-weight: 600; }
article.asset .stage { margin-left: auto; color: var(--muted); font-size: 11px; }
article.asset p { margin: 0; }
article.asset .ident { color: var(--muted); font-size: 11px; overflow-wrap: anywhere; }
article.asset .variant-of { color: var(--generated); font-size: 12px; }
article.asset .reason { font-size: 12px; color: var(--muted); }
article.asset .markup-note { font-size: 12px; color: var(--exception); }
article.asset .decided { font-size: 11px; color: var(--muted); }
ul.gates { list-style: none; margin: 0; padding: 0; font-size: 12px; }
ul.gates li { padding-left: 14px; position: relative; }
ul.gates li::before { position: absolute; left: 0; }
ul.gates li.fail { color: var(--exception); }
ul.gates li.fail::before { content: "✗"; }
ul.gates li.pass { color: var(--muted); font-size: 11px; }
ul.gates li.pass::before { content: "✓"; color: var(--ok); }
article.asset .actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: auto; padding-top: 4px; }
article.asset .actions button { padding: 2px 7px; font-size: 12px; }

/* Overlays */
dialog::backdrop { background: rgba(10, 12, 15, .82); }
dialog.overlay {
  width: 100vw;
  height: 100vh;
  max-width: none;
  max-height: none;
  margin: 0;
  padding: 0;
  border: 0;
  background: #111316;
  color: #e8eaed;
}
dialog.overlay[open] { display: flex; flex-direction: column; }
.overlay-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; padding: 8px 14px; background: #1c1f24; }
.overlay-title { margin-right: auto; font-weight: 600; }
.overlay-bar button { background: #2b3038; color: #e8eaed; border-color: #444b55; }
.overlay-hint { margin: 0; padding: 4px 14px 8px; color: #aab0b8; }
label.slider { display: flex; align-items: center; gap: 6px; }
label.slider input[type="range"] { width: 220px; accent-color: #f0f0f0; }
.compare-stage { position: relative; flex: 1; min-height: 0; margin: 0 14px; overflow: hidden; }
.compare-stage .layer {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  object-fit: contain;
}
.compare-stage .original { background: #000; }
.compare-stage .master { cursor: zoom-in; }
.markup-box {
  position: absolute;
  border: 2px solid #ff3b30;
  box-shadow: 0 0 0 1px rgba(0, 0, 0, .6);
  pointer-events: none;
  z-index: 2;
}
.markup-box.faded { opacity: .35; }
.markup-label {
  position: absolute;
  left: -2px;
  bottom: 100%;
  padding: 1px 5px;
  background: #ff3b30;
  color: #fff;
  font-size: 12px;
  white-space: nowrap;
}
.markup-label:empty { display: none; }
.zoom {
  position: absolute;
  inset: 0;
  z-index: 3;
  display: flex;
  align-items: center;
  justify-content: center;
  overflow: hidden;
  background: #fff;
  cursor: grab;
  touch-action: none;
}
.zoom:active { cursor: grabbing; }
.zoom[hidden] { display: none; }
.zoom img { max-width: none; max-height: none; user-select: none; image-rendering: auto; }

dialog.reject, dialog.retry {
  width: min(900px, 96vw);
  padding: 16px 18px;
  border: 0;
  border-radius: 6px;
  background: var(--card);
  color: var(--ink);
}
dialog.reject h2, dialog.retry h2 { margin-bottom: 10px; overflow-wrap: anywhere; }
dialog form label { display: flex; flex-direction: column; gap: 4px; margin-top: 8px; color: var(--muted); }
dialog textarea {
  font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
  width: 100%;
  padding: 6px;
  border: 1px solid #b9bdc2;
  border-radius: 4px;
  color: var(--ink);
}
.reject-stage {
  position: relative;
  display: flex;
  justify-content: center;
  background: #eceef1;
  cursor: crosshair;
  touch-action: none;
  user-select: none;
}
.reject-stage[hidden] { display: none; }
.reject-stage img { display: block; max-width: 100%; max-height: 58vh; }
.hint { margin: 4px 0 0; color: var(--muted); font-size: 12px; }
.dialog-buttons { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
"""#
}
