/// `GET /static/workbench.js`: the only script the pages load (the CSP allows no inline script).
/// Keyboard review, the compare/zoom overlay, the reject and retry dialogs, the actions, and live
/// updates from `/events`. Plain ES2017; `PagesTests` runs `node --check` on it.
public enum StaticScript {
    public static let contentType = "text/javascript; charset=utf-8"

    public static let source = #"""
// photopipe review workbench. Plain ES2017, no frameworks; server text only ever reaches the
// page through textContent and attributes, never innerHTML.
(function () {
  'use strict';

  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.getAttribute('content') : '';
  const statusLine = document.getElementById('status');

  function say(message, failed) {
    if (!statusLine) return;
    statusLine.textContent = message;
    statusLine.classList.toggle('error', Boolean(failed));
  }

  function imageURL(id, kind) {
    return '/img/' + encodeURIComponent(id) + '/' + kind;
  }

  function clamp(x, lo, hi) {
    return Math.min(hi, Math.max(lo, x));
  }

  function make(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  async function post(path, body) {
    let reply;
    try {
      const res = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body)
      });
      if (res.status === 401) {
        window.location.assign('/login');
        return { ok: false, message: 'signed out' };
      }
      try {
        reply = await res.json();
      } catch (e) {
        reply = { ok: false, message: res.status + ' ' + res.statusText };
      }
    } catch (e) {
      reply = { ok: false, message: 'no answer from the workbench (' + e.message + ')' };
    }
    say(reply.message || (reply.ok ? 'done' : 'failed'), !reply.ok);
    return reply;
  }

  async function getJSON(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) {
      window.location.assign('/login');
      throw new Error('signed out');
    }
    if (!res.ok) throw new Error(res.status + ' ' + res.statusText);
    return res.json();
  }

  // Server-sent events: `changed` whenever an asset moves; the browser reconnects by itself.
  function listen(onChanged) {
    if (!window.EventSource) return null;
    const source = new EventSource('/events');
    source.addEventListener('changed', function (e) {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      onChanged(data);
    });
    return source;
  }

  // Where an image of natW×natH pixels is drawn inside an <img> box (object-fit: contain or
  // natural size), in client pixels, with client pixels per image pixel.
  function drawnRect(img, natW, natH) {
    const r = img.getBoundingClientRect();
    if (!natW || !natH || !r.width || !r.height) return null;
    const scale = Math.min(r.width / natW, r.height / natH);
    const w = natW * scale;
    const h = natH * scale;
    return { left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, width: w, height: h, scale: scale };
  }

  function placeBox(el, container, drawn, box) {
    const c = container.getBoundingClientRect();
    el.style.left = (drawn.left - c.left + box.x * drawn.scale) + 'px';
    el.style.top = (drawn.top - c.top + box.y * drawn.scale) + 'px';
    el.style.width = (box.w * drawn.scale) + 'px';
    el.style.height = (box.h * drawn.scale) + 'px';
    el.hidden = false;
  }

  function parseBox(text) {
    if (!text) return null;
    const n = text.split(',').map(Number);
    if (n.length !== 4 || n.some(function (x) { return !isFinite(x); })) return null;
    return { x: n[0], y: n[1], w: n[2], h: n[3] };
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    return tag === 'INPUT' && ['range', 'button', 'submit', 'checkbox', 'radio'].indexOf(target.type) < 0;
  }

  // ---------------------------------------------------------------- the batch page

  function batchPage(main) {
    const batch = main.dataset.batch;
    const mayDecide = main.dataset.mayDecide === 'true';
    const cleanButton = main.querySelector('[data-action="approve-clean"]');
    let current = null;

    function cards() {
      return Array.prototype.slice.call(main.querySelectorAll('article.asset'));
    }

    function select(article, scroll) {
      if (!article) return;
      if (current && current !== article) current.classList.remove('current');
      current = article;
      article.classList.add('current');
      if (document.activeElement !== article && !article.contains(document.activeElement)) {
        article.focus({ preventScroll: true });
      }
      if (scroll !== false) article.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }

    function step(delta) {
      const all = cards();
      if (!all.length) return;
      const i = current ? all.indexOf(current) : -1;
      const next = i < 0 ? (delta > 0 ? 0 : all.length - 1) : clamp(i + delta, 0, all.length - 1);
      select(all[next]);
      if (compare.dialog.open) openCompare(all[next]);
    }

    function button(article, action) {
      return article ? article.querySelector('[data-action="' + action + '"]') : null;
    }

    // The rule BatchPage renders with (AssetCard.allows), for cards updated live.
    function allows(article, action) {
      switch (action) {
        case 'approve':
        case 'reject':
          return mayDecide && article.dataset.stage === 'review';
        case 'retry':
        case 'rollback':
          return mayDecide && !article.dataset.variantOf;
        case 'compare':
          return Number(article.dataset.masterW) > 0;
        default:
          return false;
      }
    }

    function usable(article, action) {
      const b = button(article, action);
      if (b && !b.disabled) return true;
      if (article) say(article.dataset.id + ': ' + action + ' is not possible here', true);
      return false;
    }

    async function approve(article) {
      if (!usable(article, 'approve')) return;
      const reply = await post('/api/approve', { ids: [article.dataset.id] });
      if (reply.ok) {
        step(1);
        refresh();
      }
    }

    async function rollback(article) {
      if (!usable(article, 'rollback')) return;
      if (!window.confirm('Rebuild ' + article.dataset.id + ' from its original, dropping its overrides?')) return;
      const reply = await post('/api/rollback', { id: article.dataset.id });
      if (reply.ok) refresh();
    }

    async function approveClean() {
      const n = Number(cleanButton.dataset.count) || 0;
      if (!n || cleanButton.disabled) return;
      const question = 'Approve ' + n + ' clean asset' + (n === 1 ? '' : 's') + ' of batch ' + batch + '? Exceptions stay waiting.';
      if (!window.confirm(question)) return;
      const reply = await post('/api/approve-clean', { batch: batch });
      if (reply.ok) refresh();
    }

    function setCleanCount(n) {
      if (!cleanButton) return;
      cleanButton.dataset.count = String(n);
      cleanButton.textContent = 'Approve ' + n + ' clean asset' + (n === 1 ? '' : 's');
      cleanButton.disabled = n === 0 || !mayDecide;
    }

    // ------------------------------------------------ compare overlay with zoom

    const compare = {
      dialog: document.getElementById('compare'),
      stage: document.getElementById('compare-stage'),
      title: document.getElementById('compare-title'),
      original: document.getElementById('compare-original'),
      master: document.getElementById('compare-master'),
      slider: document.getElementById('compare-slider'),
      markup: document.getElementById('compare-markup'),
      markupNote: document.getElementById('compare-markup-note'),
      hint: document.getElementById('compare-hint'),
      zoom: document.getElementById('zoom'),
      zoomImg: document.getElementById('zoom-img'),
      article: null,
      w: 0,
      h: 0,
      at: null,
      drag: null
    };

    function openCompare(article) {
      if (!article || !usable(article, 'compare')) return;
      const id = article.dataset.id;
      compare.article = article;
      compare.w = Number(article.dataset.masterW);
      compare.h = Number(article.dataset.masterH);
      compare.at = null;
      compare.title.textContent = id + ' · SKU ' + article.dataset.sku + (article.dataset.view ? ' view ' + article.dataset.view : '');
      compare.original.src = imageURL(id, 'original') + '?w=1600';
      compare.master.src = imageURL(id, 'master') + '?w=1600';
      compare.markup.hidden = true;
      const note = article.dataset.markupNote;
      compare.hint.textContent = note ? 'marked: ' + note : 'Click the master to see it at 100 %; drag to pan.';
      setSplit(100);
      closeZoom();
      if (!compare.dialog.open) compare.dialog.showModal();
      drawMarkup();
    }

    function closeCompare() {
      closeZoom();
      if (compare.dialog.open) compare.dialog.close();
    }

    // 100: the master covers the original; 0: only the original shows.
    function setSplit(value) {
      compare.slider.value = String(value);
      clipMaster();
      compare.markup.classList.toggle('faded', value < 50);
    }

    // The split is a share of the master as drawn, not of its element: object-fit leaves margins
    // beside a portrait master, and a percentage of the element would cut only the margin.
    function clipMaster() {
      const value = Number(compare.slider.value);
      if (value >= 100) {
        compare.master.style.clipPath = 'none';
        return;
      }
      const r = compare.master.getBoundingClientRect();
      const drawn = drawnRect(compare.master, compare.w, compare.h);
      const right = drawn ? r.right - (drawn.left + drawn.width * value / 100) : r.width * (100 - value) / 100;
      compare.master.style.clipPath = 'inset(0 ' + Math.max(0, right).toFixed(1) + 'px 0 0)';
    }

    function toggleOriginal() {
      setSplit(Number(compare.slider.value) >= 100 ? 0 : 100);
    }

    function drawMarkup() {
      const article = compare.article;
      const box = article ? parseBox(article.dataset.box) : null;
      const drawn = box ? drawnRect(compare.master, compare.w, compare.h) : null;
      if (!drawn) {
        compare.markup.hidden = true;
        return;
      }
      compare.markupNote.textContent = article.dataset.markupNote || '';
      placeBox(compare.markup, compare.stage, drawn, box);
    }

    // A crop's top-left for a point at its centre, as the preview process fits it in the master.
    function zoomTo(cx, cy) {
      const side = Math.min(512, compare.w, compare.h);
      const x = Math.round(clamp(cx - side / 2, 0, Math.max(0, compare.w - side)));
      const y = Math.round(clamp(cy - side / 2, 0, Math.max(0, compare.h - side)));
      compare.at = { x: x, y: y, side: side };
      const url = imageURL(compare.article.dataset.id, 'crop') + '?x=' + x + '&y=' + y + '&size=512';
      if (compare.zoomImg.getAttribute('src') === url) {
        compare.zoomImg.style.transform = '';
      } else {
        compare.zoomImg.src = url;
      }
      compare.zoom.hidden = false;
    }

    function closeZoom() {
      compare.zoom.hidden = true;
      compare.drag = null;
    }

    function toggleZoom() {
      if (!compare.dialog.open) {
        if (!current) return;
        openCompare(current);
        if (!compare.dialog.open) return;
      }
      if (!compare.zoom.hidden) {
        closeZoom();
        return;
      }
      const at = compare.at;
      if (at) zoomTo(at.x + at.side / 2, at.y + at.side / 2);
      else zoomTo(compare.w / 2, compare.h / 2);
    }

    compare.zoomImg.addEventListener('load', function () {
      compare.zoomImg.style.transform = '';
    });

    compare.stage.addEventListener('click', function (e) {
      if (!compare.zoom.hidden || !compare.article) return;
      const drawn = drawnRect(compare.master, compare.w, compare.h);
      if (!drawn) return;
      const x = (e.clientX - drawn.left) / drawn.scale;
      const y = (e.clientY - drawn.top) / drawn.scale;
      if (x < 0 || y < 0 || x > compare.w || y > compare.h) return;
      zoomTo(x, y);
    });

    // Pan: the crop follows the pointer; the next crop loads on release (1 client px = 1 master px at 100 %).
    compare.zoom.addEventListener('pointerdown', function (e) {
      if (e.button !== 0 || !compare.at) return;
      e.preventDefault();
      compare.zoom.setPointerCapture(e.pointerId);
      compare.drag = { x: e.clientX, y: e.clientY, dx: 0, dy: 0 };
    });
    compare.zoom.addEventListener('pointermove', function (e) {
      const d = compare.drag;
      if (!d) return;
      d.dx = e.clientX - d.x;
      d.dy = e.clientY - d.y;
      compare.zoomImg.style.transform = 'translate(' + d.dx + 'px, ' + d.dy + 'px)';
    });
    function endPan() {
      const d = compare.drag;
      compare.drag = null;
      if (!d || !compare.at) return;
      if (Math.abs(d.dx) < 3 && Math.abs(d.dy) < 3) {
        compare.zoomImg.style.transform = '';
        return;
      }
      const at = compare.at;
      zoomTo(at.x - d.dx + at.side / 2, at.y - d.dy + at.side / 2);
    }
    compare.zoom.addEventListener('pointerup', endPan);
    compare.zoom.addEventListener('pointercancel', endPan);

    compare.slider.addEventListener('input', function () {
      setSplit(Number(compare.slider.value));
    });
    compare.master.addEventListener('load', drawMarkup);
    window.addEventListener('resize', function () {
      if (!compare.dialog.open) return;
      drawMarkup();
      clipMaster();
    });
    // Escape closes the zoom first, then the overlay.
    compare.dialog.addEventListener('cancel', function (e) {
      if (!compare.zoom.hidden) {
        e.preventDefault();
        closeZoom();
      }
    });
    compare.dialog.addEventListener('click', function (e) {
      const b = e.target.closest('[data-compare]');
      if (!b) return;
      const what = b.dataset.compare;
      if (what === 'toggle') toggleOriginal();
      else if (what === 'zoom') toggleZoom();
      else if (what === 'close') closeCompare();
    });
    compare.dialog.addEventListener('close', function () {
      if (current) current.focus({ preventScroll: true });
    });

    // ------------------------------------------------ reject dialog with a box on the master

    const reject = {
      dialog: document.getElementById('reject'),
      form: document.getElementById('reject-form'),
      title: document.getElementById('reject-title'),
      stage: document.getElementById('reject-stage'),
      img: document.getElementById('reject-img'),
      box: document.getElementById('reject-box'),
      note: document.getElementById('reject-note'),
      article: null,
      w: 0,
      h: 0,
      rect: null,
      drag: null
    };

    function openReject(article) {
      if (!usable(article, 'reject')) return;
      closeCompare();
      reject.article = article;
      reject.w = Number(article.dataset.masterW);
      reject.h = Number(article.dataset.masterH);
      reject.rect = null;
      reject.box.hidden = true;
      reject.note.value = '';
      reject.title.textContent = article.dataset.id;
      if (reject.w > 0) {
        reject.img.src = imageURL(article.dataset.id, 'master') + '?w=1600';
        reject.stage.hidden = false;
      } else {
        reject.img.removeAttribute('src');
        reject.stage.hidden = true;
      }
      reject.dialog.showModal();
      reject.note.focus();
    }

    reject.stage.addEventListener('pointerdown', function (e) {
      if (e.button !== 0) return;
      const drawn = drawnRect(reject.img, reject.w, reject.h);
      if (!drawn) return;
      e.preventDefault();
      reject.stage.setPointerCapture(e.pointerId);
      const x = clamp(e.clientX - drawn.left, 0, drawn.width);
      const y = clamp(e.clientY - drawn.top, 0, drawn.height);
      reject.drag = { drawn: drawn, x0: x, y0: y, x1: x, y1: y };
      reject.rect = null;
      reject.box.hidden = true;
    });
    reject.stage.addEventListener('pointermove', function (e) {
      const d = reject.drag;
      if (!d) return;
      d.x1 = clamp(e.clientX - d.drawn.left, 0, d.drawn.width);
      d.y1 = clamp(e.clientY - d.drawn.top, 0, d.drawn.height);
      placeBox(reject.box, reject.stage, d.drawn, dragBox(d, 1 / d.drawn.scale));
    });
    function endDraw() {
      const d = reject.drag;
      reject.drag = null;
      if (!d) return;
      const box = dragBox(d, 1 / d.drawn.scale);
      if (box.w * d.drawn.scale < 4 || box.h * d.drawn.scale < 4) {
        reject.box.hidden = true;
        return;
      }
      // Master pixels, inside the master.
      const x = clamp(Math.round(box.x), 0, reject.w - 1);
      const y = clamp(Math.round(box.y), 0, reject.h - 1);
      reject.rect = {
        x: x,
        y: y,
        w: clamp(Math.round(box.w), 1, reject.w - x),
        h: clamp(Math.round(box.h), 1, reject.h - y)
      };
      placeBox(reject.box, reject.stage, d.drawn, reject.rect);
    }
    reject.stage.addEventListener('pointerup', endDraw);
    reject.stage.addEventListener('pointercancel', endDraw);

    // The dragged rectangle in image pixels.
    function dragBox(d, perClient) {
      return {
        x: Math.min(d.x0, d.x1) * perClient,
        y: Math.min(d.y0, d.y1) * perClient,
        w: Math.abs(d.x1 - d.x0) * perClient,
        h: Math.abs(d.y1 - d.y0) * perClient
      };
    }

    reject.form.addEventListener('submit', async function (e) {
      e.preventDefault();
      const note = reject.note.value.trim();
      if (!note) {
        reject.note.reportValidity();
        return;
      }
      const body = { id: reject.article.dataset.id, note: note };
      if (reject.rect) body.box = reject.rect;
      const reply = await post('/api/reject', body);
      if (reply.ok) {
        reject.dialog.close();
        step(1);
        refresh();
      }
    });

    // ------------------------------------------------ retry dialog

    const retry = {
      dialog: document.getElementById('retry'),
      form: document.getElementById('retry-form'),
      title: document.getElementById('retry-title'),
      text: document.getElementById('retry-overrides'),
      article: null
    };

    function openRetry(article) {
      if (!usable(article, 'retry')) return;
      closeCompare();
      retry.article = article;
      retry.title.textContent = article.dataset.id;
      retry.text.value = '';
      retry.dialog.showModal();
      retry.text.focus();
    }

    retry.form.addEventListener('submit', async function (e) {
      e.preventDefault();
      const lines = retry.text.value.split('\n').map(function (l) { return l.trim(); }).filter(Boolean);
      const bad = lines.find(function (l) { return !/^retouch\.[^=\s]+=/.test(l); });
      if (bad) {
        say('"' + bad + '" is not retouch.key=value', true);
        return;
      }
      const body = { id: retry.article.dataset.id };
      if (lines.length) body.overrides = lines;
      const reply = await post('/api/retry', body);
      if (reply.ok) {
        retry.dialog.close();
        refresh();
      }
    });

    document.addEventListener('click', function (e) {
      const close = e.target.closest('[data-close]');
      if (close) {
        const dialog = close.closest('dialog');
        if (dialog) dialog.close();
      }
    });

    // ------------------------------------------------ cards: clicks and keys

    main.addEventListener('click', function (e) {
      const link = e.target.closest('a[href^="#a-"]');
      if (link) {
        e.preventDefault();
        select(document.getElementById(link.getAttribute('href').slice(1)));
        return;
      }
      const b = e.target.closest('button[data-action]');
      if (b && b.closest('dialog')) return;
      if (b) {
        if (b.dataset.action === 'approve-clean') {
          approveClean();
          return;
        }
        const article = b.closest('article.asset');
        if (!article) return;
        select(article, false);
        act(b.dataset.action, article);
        return;
      }
      const article = e.target.closest('article.asset');
      if (!article) return;
      select(article, false);
      if (e.target.tagName === 'IMG') openCompare(article);
    });

    main.addEventListener('focusin', function (e) {
      const article = e.target.closest && e.target.closest('article.asset');
      if (article && article !== current) select(article, false);
    });

    function act(action, article) {
      if (action === 'approve') approve(article);
      else if (action === 'reject') openReject(article);
      else if (action === 'retry') openRetry(article);
      else if (action === 'rollback') rollback(article);
      else if (action === 'compare') openCompare(article);
    }

    document.addEventListener('keydown', function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (typing(e.target)) return;
      if (reject.dialog.open || retry.dialog.open) return;
      const onSlider = e.target === compare.slider;
      let handled = true;
      switch (e.key) {
        case 'j':
          step(1);
          break;
        case 'ArrowRight':
          if (onSlider) return;
          step(1);
          break;
        case 'k':
          step(-1);
          break;
        case 'ArrowLeft':
          if (onSlider) return;
          step(-1);
          break;
        case 'a':
          approve(current);
          break;
        case 'r':
          openReject(current);
          break;
        case 'c':
          if (compare.dialog.open) closeCompare();
          else openCompare(current);
          break;
        case 'z':
          toggleZoom();
          break;
        case 't':
          if (compare.dialog.open) toggleOriginal();
          else handled = false;
          break;
        case 'Escape':
          // Open dialogs close themselves (and the compare overlay closes its zoom first).
          handled = false;
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    });

    // ------------------------------------------------ live updates

    const lastShown = new WeakMap();

    function setData(el, key, value) {
      if (value === null || value === undefined || value === '') delete el.dataset[key];
      else el.dataset[key] = String(value);
    }

    // A card's content from /api/batch JSON, the same structure BatchPage renders.
    function fillArticle(el, a) {
      const shown = JSON.stringify(a);
      if (lastShown.get(el) === shown) return;
      lastShown.set(el, shown);
      el.className = 'asset' + (a.sampled ? ' sampled' : '') + (a.variantOf ? ' variant' : '') + (el === current ? ' current' : '');
      el.id = 'a-' + a.id;
      el.tabIndex = 0;
      el.dataset.id = a.id;
      el.dataset.sku = a.sku;
      el.dataset.view = a.view === null || a.view === undefined ? '' : String(a.view);
      el.dataset.status = a.status || '';
      el.dataset.stage = a.stage;
      el.dataset.masterW = String(a.master ? a.master.width : 0);
      el.dataset.masterH = String(a.master ? a.master.height : 0);
      setData(el, 'variantOf', a.variantOf);
      const m = a.markup;
      setData(el, 'markupNote', m ? m.note : null);
      setData(el, 'box', m && m.box ? [m.box.x, m.box.y, m.box.w, m.box.h].join(',') : null);

      let img = el.querySelector('img');
      if (!img) {
        img = document.createElement('img');
        img.loading = 'lazy';
      }
      // A card that arrived before its master had no thumbnail yet: ask again once it has one.
      const thumbFor = a.master ? a.stage + ':' + a.master.width + 'x' + a.master.height : '';
      if (!img.getAttribute('src') || (thumbFor && img.dataset.thumbFor !== thumbFor)) {
        img.src = imageURL(a.id, 'thumb') + (thumbFor ? '?v=' + encodeURIComponent(thumbFor) : '');
        img.dataset.thumbFor = thumbFor;
      }
      img.alt = 'SKU ' + a.sku + (a.view !== null && a.view !== undefined ? ' view ' + a.view : '') + (a.variantOf ? ' (generated)' : '');
      const parts = [img];

      const head = make('div', 'head');
      head.appendChild(make('span', 'badge', a.status || a.stage));
      if (a.sampled && a.status !== 'sampled') {
        head.appendChild(document.createTextNode(' '));
        head.appendChild(make('span', 'tag', 'sampled'));
      }
      head.appendChild(document.createTextNode(' '));
      head.appendChild(make('span', 'view', a.view !== null && a.view !== undefined ? 'view ' + a.view : 'no view'));
      head.appendChild(document.createTextNode(' '));
      head.appendChild(make('span', 'stage', a.stage));
      parts.push(head, make('p', 'ident', a.id));

      if (a.variantOf) {
        const p = make('p', 'variant-of', 'generated from ');
        const link = make('a', null, a.variantOf);
        link.setAttribute('href', '#a-' + a.variantOf);
        p.appendChild(link);
        parts.push(p);
      }
      const gates = (a.gates || []).filter(function (g) { return !g.passed; })
        .concat((a.gates || []).filter(function (g) { return g.passed; }));
      if (a.reason && (!gates.length || gates[0].passed)) parts.push(make('p', 'reason', a.reason));
      if (gates.length) {
        const ul = make('ul', 'gates');
        gates.forEach(function (g) {
          const li = make('li', g.passed ? 'pass' : 'fail', g.words);
          li.dataset.gate = g.gate;
          ul.appendChild(li);
        });
        parts.push(ul);
      }
      if (m) parts.push(make('p', 'markup-note', 'marked: ' + m.note));
      if (a.decidedBy) parts.push(make('p', 'decided', 'decided by ' + a.decidedBy));

      const actions = make('div', 'actions');
      [['approve', 'Approve'], ['reject', 'Reject…'], ['retry', 'Retry…'], ['rollback', 'Rollback'], ['compare', 'Compare']]
        .forEach(function (pair) {
          const b = make('button', null, pair[1]);
          b.type = 'button';
          b.dataset.action = pair[0];
          b.disabled = !allows(el, pair[0]);
          actions.appendChild(b);
        });
      parts.push(actions);

      const hadFocus = el.contains(document.activeElement) && document.activeElement !== el;
      while (el.firstChild) el.removeChild(el.firstChild);
      parts.forEach(function (p) { el.appendChild(p); });
      if (hadFocus) el.focus({ preventScroll: true });
    }

    function newSection(sku) {
      const section = make('section', 'sku');
      section.dataset.sku = sku;
      section.appendChild(make('h2', null, 'SKU ' + sku));
      section.appendChild(make('div', 'cards'));
      return section;
    }

    function apply(view) {
      setCleanCount(Number(view.cleanWaiting) || 0);
      const all = cards();
      const oldIndex = current ? all.indexOf(current) : -1;
      const focused = current && (document.activeElement === current || current.contains(document.activeElement));

      const order = [];
      const bySku = new Map();
      (view.assets || []).forEach(function (a) {
        if (!bySku.has(a.sku)) {
          bySku.set(a.sku, []);
          order.push(a.sku);
        }
        bySku.get(a.sku).push(a);
      });
      const sections = new Map();
      Array.prototype.forEach.call(main.querySelectorAll('section.sku'), function (s) { sections.set(s.dataset.sku, s); });
      const byId = new Map();
      all.forEach(function (el) { byId.set(el.dataset.id, el); });

      const seen = new Set();
      let prev = main.querySelector('.toolbar');
      order.forEach(function (sku) {
        let section = sections.get(sku);
        if (!section) section = newSection(sku);
        if (prev.nextElementSibling !== section) main.insertBefore(section, prev.nextElementSibling);
        prev = section;
        const box = section.querySelector('.cards');
        let before = null;
        bySku.get(sku).forEach(function (a) {
          seen.add(a.id);
          let el = byId.get(a.id);
          if (!el) el = make('article', 'asset');
          fillArticle(el, a);
          const want = before ? before.nextElementSibling : box.firstElementChild;
          if (want !== el) box.insertBefore(el, want);
          before = el;
        });
      });
      all.forEach(function (el) {
        if (!seen.has(el.dataset.id)) el.remove();
      });
      sections.forEach(function (s, sku) {
        if (!bySku.has(sku)) s.remove();
      });
      const empty = main.querySelector('p.empty');
      if (empty) empty.hidden = order.length > 0;

      // Keep the selection; when its card left, take the one now in its place.
      const now = cards();
      if (current && now.indexOf(current) < 0) {
        current = null;
        if (now.length && oldIndex >= 0) select(now[Math.min(oldIndex, now.length - 1)], false);
      } else if (current && focused && document.activeElement !== current && !current.contains(document.activeElement)) {
        current.focus({ preventScroll: true });
      }
      if (compare.dialog.open && compare.article && now.indexOf(compare.article) >= 0) drawMarkup();
    }

    let refreshing = false;
    let again = false;
    async function refresh() {
      if (refreshing) {
        again = true;
        return;
      }
      refreshing = true;
      try {
        apply(await getJSON('/api/batch/' + encodeURIComponent(batch)));
      } catch (e) {
        say('could not refresh the batch: ' + e.message, true);
      } finally {
        refreshing = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    }
    const refreshSoon = debounce(refresh, 300);
    listen(function (data) {
      if (data && data.batch === batch) refreshSoon();
    });

    const first = cards()[0];
    if (first) {
      current = first;
      first.classList.add('current');
    }
  }

  // ---------------------------------------------------------------- the batches page

  function adminBar(main) {
    const state = main.querySelector('[data-state]');
    main.addEventListener('click', async function (e) {
      const b = e.target.closest('button[data-admin]');
      if (!b) return;
      b.disabled = true;
      const action = b.dataset.admin;
      const reply = await post('/api/' + action, {});
      b.disabled = false;
      if (!reply.ok) return;
      if (action === 'pause' || action === 'resume') {
        main.dataset.paused = String(action === 'pause');
        if (state) state.textContent = action === 'pause' ? 'Paused: nothing new starts.' : 'Running.';
      }
    });
  }

  function batchesPage(main) {
    if (main.dataset.paused) adminBar(main);
    const tbody = main.querySelector('table.batches tbody');
    const fields = ['total', 'waiting', 'exceptions', 'sampled', 'generated', 'approved', 'autoApproved', 'rejected', 'exported', 'failed'];

    function newRow(name) {
      const tr = document.createElement('tr');
      tr.dataset.batch = name;
      const th = make('th');
      th.scope = 'row';
      const link = make('a', null, name);
      link.setAttribute('href', '/batch/' + encodeURIComponent(name));
      th.appendChild(link);
      tr.appendChild(th);
      fields.forEach(function (f) {
        const td = make('td', 'num');
        td.dataset.field = f;
        tr.appendChild(td);
      });
      const cell = make('td');
      const bar = document.createElement('progress');
      bar.dataset.field = 'progress';
      const text = make('span', 'progress-text');
      text.dataset.field = 'progress-text';
      cell.appendChild(bar);
      cell.appendChild(document.createTextNode(' '));
      cell.appendChild(text);
      tr.appendChild(cell);
      const waits = make('td');
      waits.dataset.field = 'waits-for';
      tr.appendChild(waits);
      return tr;
    }

    function fill(tr, row) {
      const cells = {};
      Array.prototype.forEach.call(tr.querySelectorAll('[data-field]'), function (el) { cells[el.dataset.field] = el; });
      fields.forEach(function (f) {
        if (cells[f]) cells[f].textContent = String(row[f] || 0);
      });
      const total = row.total || 0;
      const finished = Math.min(total, (row.exported || 0) + (row.rejected || 0));
      if (cells.progress) {
        cells.progress.max = Math.max(total, 1);
        cells.progress.value = finished;
        cells.progress.textContent = finished + ' of ' + total;
      }
      if (cells['progress-text']) cells['progress-text'].textContent = finished + ' of ' + total + ' done';
      const waits = cells['waits-for'];
      if (waits) {
        waits.textContent = row.waiting > 0 ? 'reviewers (' + row.waiting + ' waiting)' : 'nobody';
        waits.className = row.waiting > 0 ? 'waits' : 'idle';
      }
    }

    function apply(rows) {
      const existing = new Map();
      Array.prototype.forEach.call(tbody.querySelectorAll('tr[data-batch]'), function (tr) { existing.set(tr.dataset.batch, tr); });
      let before = null;
      const seen = new Set();
      rows.forEach(function (row) {
        seen.add(row.batch);
        const tr = existing.get(row.batch) || newRow(row.batch);
        fill(tr, row);
        const want = before ? before.nextElementSibling : tbody.firstElementChild;
        if (want !== tr) tbody.insertBefore(tr, want);
        before = tr;
      });
      existing.forEach(function (tr, name) {
        if (!seen.has(name)) tr.remove();
      });
      const empty = main.querySelector('p.empty');
      if (empty) empty.hidden = rows.length > 0;
    }

    async function refresh() {
      try {
        const data = await getJSON('/api/batches');
        apply(data.batches || []);
      } catch (e) {
        say('could not refresh the batches: ' + e.message, true);
      }
    }
    listen(debounce(refresh, 300));
  }

  function start() {
    const batch = document.querySelector('main.batch[data-batch]');
    if (batch) batchPage(batch);
    const batches = document.querySelector('main.batches');
    if (batches) batchesPage(batches);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
"""#
}
