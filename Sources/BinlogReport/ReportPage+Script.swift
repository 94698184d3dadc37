extension ReportPage {
  /// The page's script: reads the JSON island, sums the buckets of the selected range, and
  /// draws every panel. Pieces: helpers and sums here, the chart in `chartScript`, panels in
  /// `panelScript`.
  static var script: String { coreScript + chartScript + panelScript + startScript }

  static let coreScript = #"""
    'use strict';
    const D = JSON.parse(document.getElementById('sluice-data').textContent);
    const TL = D.timeline, B = TL.buckets, BS = TL.bucket_seconds, TX = D.transactions_listed;
    const TOP = D.top || 10;
    const $ = (s) => document.querySelector(s);

    // ---- text -------------------------------------------------------------------------------
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
    const NF = new Intl.NumberFormat('en-US');
    const num = (n) => NF.format(n);
    function compact(n) {
      if (n < 1000) return String(n);
      const u = ['k', 'M', 'G', 'T']; let i = -1;
      while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
      return (n < 10 ? n.toFixed(1).replace(/\.0$/, '') : Math.round(n)) + u[i];
    }
    function bytes(n) {
      if (n < 1024) return n + ' B';
      const u = ['KiB', 'MiB', 'GiB', 'TiB']; let i = -1;
      while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
      return (n < 10 ? n.toFixed(1) : Math.round(n)) + ' ' + u[i];
    }
    function duration(s) {
      if (s < 60) return s + ' s';
      if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
      return Math.floor(s / 3600) + ' h ' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + ' min';
    }

    // ---- time, in the report's zone ---------------------------------------------------------
    const ZONE = D.window.timezone || 'UTC';
    let zoneOffset = null, zoneFormat = null;
    (function () {
      const f = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(ZONE);
      if (/^(utc|z|gmt)$/i.test(ZONE)) zoneOffset = 0;
      else if (f) zoneOffset = (f[1] === '-' ? -1 : 1) * (Number(f[2]) * 3600 + Number(f[3] || 0) * 60);
      else {
        try {
          zoneFormat = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit',
            day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
        } catch (e) { zoneOffset = D.window.utc_offset || 0; }
      }
    })();
    function parts(epoch) {
      if (zoneFormat) {
        const p = {};
        for (const x of zoneFormat.formatToParts(new Date(epoch * 1000))) p[x.type] = x.value;
        return [p.year + '-' + p.month + '-' + p.day, p.hour + ':' + p.minute + ':' + p.second];
      }
      const iso = new Date((epoch + zoneOffset) * 1000).toISOString();
      return [iso.slice(0, 10), iso.slice(11, 19)];
    }
    const civil = (e) => { const p = parts(e); return p[0] + ' ' + p[1]; };
    const commitSec = (t) => Math.floor(t.commit_us / 1e6);

    // ---- commands (the same words `sluice report` writes into the JSON) -----------------------
    function quote(s) { return /^[A-Za-z0-9._\/:,@+=-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"; }
    function timeRange(r) { return "--start-datetime '" + civil(r[0]) + "' --stop-datetime '" + civil(r[1]) + "'" + D.commands.timezone_option; }
    const showTable = (name, r) => 'sluice query --table ' + quote(name) + ' ' + timeRange(r) + ' ' + D.commands.inputs;
    const undoTable = (name, r) => 'sluice query --table ' + quote(name) + ' ' + timeRange(r) + ' --format sql --flashback ' + D.commands.inputs;
    const showRange = (r) => 'sluice query ' + timeRange(r) + ' ' + D.commands.inputs;
    const ICON = '<svg class="ico" viewBox="0 0 16 16" width="11" height="11" aria-hidden="true"><rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1.5"' +
      ' fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3 10.5V3.2A1.2 1.2 0 0 1 4.2 2h6.3" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>';
    function copyButton(cmd, label, cls) {
      return '<button type="button" class="copy' + (cls ? ' ' + cls : '') + '" data-cmd="' + esc(cmd) + '" title="copy: ' + esc(cmd) + '">' + ICON + ' ' + label + '</button>';
    }
    function copyButtons(show, undo) {
      return copyButton(show, 'show') + (undo ? ' ' + copyButton(undo, 'undo', 'undo') : '');
    }
    function copy(text) {
      const done = () => toast('Copied to the clipboard:<br><code>' + esc(text) + '</code>');
      const fallback = () => {
        const ta = document.createElement('textarea');
        ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
        document.body.appendChild(ta); ta.select();
        try { document.execCommand('copy'); } catch (e) { /* the command is shown below to copy by hand */ }
        ta.remove(); done();
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    }
    let toastTimer = null;
    function toast(html, sticky) {
      const t = $('#toast');
      t.innerHTML = html + (sticky ? ' <button type="button" class="link" data-close-toast>close</button>' : '');
      t.hidden = false;
      clearTimeout(toastTimer);
      if (!sticky) toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
    }

    // ---- ranges and sums --------------------------------------------------------------------
    const FULL = (function () {
      const lo = D.window.start != null ? D.window.start : (B.length ? B[0].t : 0);
      let hi = D.window.stop != null ? D.window.stop : (B.length ? B[B.length - 1].t + BS : lo + BS);
      if (hi <= lo) hi = lo + BS;
      return [lo, hi];
    })();
    const S = { stack: 'table', scale: 'linear', view: FULL.slice(), sel: null, tsort: 'rows', txsort: 'rows', allTables: false, allDDL: false };
    const active = () => S.sel || S.view;
    const inRange = (t, r) => t >= r[0] && t < r[1];
    const snapDown = (t) => Math.floor(t / BS) * BS;
    const snapUp = (t) => Math.ceil(t / BS) * BS;

    function aggregate(r) {
      const a = { transactions: 0, rows: 0, bytes: 0, inserts: 0, updates: 0, deletes: 0, ddl: 0, buckets: 0,
        tables: new Map(), servers: new Map(), domains: new Map(), cand: new Set() };
      for (const b of B) {
        if (!inRange(b.t, r)) continue;
        a.buckets++;
        a.transactions += b.transactions; a.rows += b.rows; a.bytes += b.bytes;
        a.inserts += b.inserts; a.updates += b.updates; a.deletes += b.deletes; a.ddl += b.ddl;
        for (const [g, i, u, d, by, n] of b.tables) {
          const c = a.tables.get(g) || [0, 0, 0, 0, 0];
          c[0] += i; c[1] += u; c[2] += d; c[3] += by; c[4] += n;
          a.tables.set(g, c);
        }
        for (const [id, n] of b.servers) a.servers.set(id, (a.servers.get(id) || 0) + n);
        for (const [d, n] of b.domains) a.domains.set(d, (a.domains.get(d) || 0) + n);
        for (const i of b.top) a.cand.add(i);
      }
      return a;
    }
    const measure = { rows: (t) => t.rows, bytes: (t) => t.bytes, duration: (t) => t.duration };
    function topTx(a, by, n) {
      const f = measure[by];
      return [...a.cand].map((i) => [i, TX[i]]).filter(([, t]) => f(t) > 0)
        .sort((x, y) => f(y[1]) - f(x[1]) || x[1].commit_us - y[1].commit_us).slice(0, n).map(([i]) => i);
    }
    const ddlIn = (r) => D.ddl.filter((d) => inRange(commitSec(TX[d.transaction]), r));
    function where(t) { return t.gtid ? t.gtid : t.file + ':' + t.start; }
    function touches(t) {
      return t.tables.map((x) => esc(x.table) + ' <span class="mono">' +
        [x.inserts ? '+' + num(x.inserts) : '', x.updates ? '~' + num(x.updates) : '', x.deletes ? '−' + num(x.deletes) : '']
          .filter(Boolean).join(' ') + '</span>').join(', ');
    }
    function txTip(t) {
      return '<div class="t">' + esc(where(t)) + '</div>' + esc(civil(commitSec(t))) + ' · ' + num(t.rows) + ' rows · ' + bytes(t.bytes) +
        (t.duration ? ' · ' + duration(t.duration) : '') + (t.tables.length ? '<br>' + touches(t) : '') +
        (t.ddl ? '<br>DDL' : '');
    }

    """#

  static let startScript = #"""
    document.addEventListener('click', (e) => {
      const c = e.target.closest('button.copy');
      if (c) { copy(c.dataset.cmd); return; }
      if (e.target.closest('[data-close-toast]')) { $('#toast').hidden = true; return; }
      const sc = e.target.closest('[data-scale]');
      if (sc) { S.scale = sc.dataset.scale; setOn('[data-scale]', sc); renderChart(); return; }
      const st = e.target.closest('[data-stack]');
      if (st) { S.stack = st.dataset.stack; setOn('[data-stack]', st); renderChart(); renderLegend(); return; }
      const ts = e.target.closest('[data-tsort]');
      if (ts) { S.tsort = ts.dataset.tsort; setOn('[data-tsort]', ts); renderTables(); return; }
      const xs = e.target.closest('[data-txsort]');
      if (xs) { S.txsort = xs.dataset.txsort; setOn('[data-txsort]', xs); renderTransactions(); return; }
      if (e.target.closest('#all-tables')) { S.allTables = !S.allTables; renderTables(); return; }
      if (e.target.closest('#all-ddl')) { S.allDDL = !S.allDDL; renderDDL(); return; }
      const tr = e.target.closest('tr[data-tx]');
      if (tr && !e.target.closest('button')) { focusTx(Number(tr.dataset.tx)); }
    });
    function setOn(sel, el) { document.querySelectorAll(sel).forEach((b) => b.classList.toggle('on', b === el)); }
    $('#zoom-in').addEventListener('click', () => { if (S.sel) { S.view = S.sel.slice(); update(); } });
    $('#zoom-out').addEventListener('click', () => {
      const w = S.view[1] - S.view[0], c = (S.view[0] + S.view[1]) / 2;
      setView(c - w, c + w); update();
    });
    $('#zoom-reset').addEventListener('click', () => { S.view = FULL.slice(); S.sel = null; update(); });
    $('#clear-selection').addEventListener('click', () => { S.sel = null; update(); });
    function setView(a, b) {
      const min = Math.min(FULL[1] - FULL[0], BS * 4);
      if (b - a < min) { const c = (a + b) / 2; a = c - min / 2; b = c + min / 2; }
      if (a < FULL[0]) { b += FULL[0] - a; a = FULL[0]; }
      if (b > FULL[1]) { a -= b - FULL[1]; b = FULL[1]; }
      S.view = [Math.max(FULL[0], Math.floor(a)), Math.min(FULL[1], Math.ceil(b))];
    }
    function update() {
      renderHeader(); renderHighlights(); renderCards(); renderChart(); renderOverview(); renderLegend(); renderSelection();
      renderTables(); renderTransactions(); renderDDL(); renderServers(); renderDomains(); renderFiles();
    }
    // A log scale from the start when a few spikes would flatten everything else.
    (function () {
      const v = B.map((b) => b.rows).filter((x) => x > 0).sort((x, y) => x - y);
      if (v.length > 3 && v[v.length - 1] > 30 * v[Math.floor(v.length / 2)]) {
        S.scale = 'log';
        setOn('[data-scale]', document.querySelector('[data-scale="log"]'));
      }
    })();
    renderWarnings();
    update();
    let resizeTimer = null;
    window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => { renderChart(); renderOverview(); }, 100); });
    document.body.dataset.ready = '1';
    """#
}
