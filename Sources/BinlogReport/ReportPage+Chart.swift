extension ReportPage {
  /// The timeline: stacked bars per bucket (by table or by change type), markers for DDL and the
  /// largest and longest transactions, a brush that selects a range, wheel and double-click
  /// zoom, and an overview of the whole range under it. SVG built as markup text (the page's
  /// parser puts it in the SVG namespace).
  static let chartScript = #"""
    const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
    const OTHER = '#bab0ac';
    const TYPES = [['inserts', 'insert', 'var(--ins)'], ['updates', 'update', 'var(--upd)'], ['deletes', 'delete', 'var(--del)']];
    const M = { l: 58, r: 14, t: 58, b: 30 };
    let chartGeom = null;
    let seriesNow = [];

    function niceStep(max, n) {
      if (max <= 0) return 1;
      const raw = max / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
      for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= raw) return k * p;
      return 10 * p;
    }
    const TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
    function timeTicks(a, b, px) {
      const want = Math.max(2, Math.floor(px / 95));
      let step = TICKS[TICKS.length - 1];
      for (const s of TICKS) if ((b - a) / s <= want) { step = s; break; }
      // Ticks on round times of the report's zone.
      const off = zoneOffset != null ? zoneOffset : (D.window.utc_offset || 0);
      const out = [];
      for (let t = Math.ceil((a + off) / step) * step - off; t <= b; t += step) out.push(t);
      return { ticks: out, step };
    }
    function seriesFor(a) {
      if (S.stack === 'type') return TYPES.map(([k, label, color]) => ({ key: k, label, color }));
      const top = [...a.tables.entries()].sort((x, y) => (y[1][0] + y[1][1] + y[1][2]) - (x[1][0] + x[1][1] + x[1][2]) || x[0] - y[0])
        .slice(0, 8).map(([g], i) => ({ key: g, label: TL.table_names[g], color: PALETTE[i] }));
      if (a.tables.size > 8) top.push({ key: 'other', label: 'other tables', color: OTHER });
      return top;
    }
    function stackOf(b, series) {
      if (S.stack === 'type') return series.map((s) => b[s.key]);
      const idx = new Map(series.map((s, i) => [s.key, i]));
      const v = series.map(() => 0);
      for (const [g, i, u, d] of b.tables) {
        const k = idx.has(g) ? idx.get(g) : idx.get('other');
        if (k !== undefined) v[k] += i + u + d;
      }
      return v;
    }

    function renderChart() {
      const svg = $('#chart');
      const W = Math.max(320, svg.clientWidth || 900), H = svg.clientHeight || 290;
      const pw = W - M.l - M.r, ph = H - M.t - M.b;
      const [v0, v1] = S.view;
      const sx = (t) => M.l + (t - v0) / (v1 - v0) * pw;
      const vis = B.filter((b) => b.t + BS > v0 && b.t < v1);
      const series = seriesFor(aggregate(S.view));
      seriesNow = series;
      // More buckets than pixels: neighbouring buckets share a bar (the bar says how many).
      const per = Math.max(1, Math.ceil(vis.length / pw));
      const bars = [];
      for (let i = 0; i < vis.length; i += per) {
        const g = vis.slice(i, i + per);
        const st = series.map(() => 0);
        let tx = 0, rows = 0;
        for (const b of g) { stackOf(b, series).forEach((v, k) => { st[k] += v; }); tx += b.transactions; rows += b.rows; }
        bars.push({ t: g[0].t, end: g[g.length - 1].t + BS, n: g.length, tx, rows, st, first: i });
      }
      const ymax = Math.max(1, ...bars.map((b) => b.st.reduce((x, y) => x + y, 0)));
      // Linear, or log10(1 + v) for the bar's total (its parts keep their shares of it).
      const log = S.scale === 'log';
      const f = log ? (v) => Math.log10(1 + v) : (v) => v;
      const step = log ? 1 : niceStep(ymax, 4), top = log ? Math.max(1, Math.ceil(f(ymax))) : Math.ceil(ymax / step) * step;
      const sy = (v) => M.t + ph - f(v) / top * ph;
      let s = '';
      for (let k = 0; k <= top + 1e-9; k += step) {
        const v = log ? (k === 0 ? 0 : Math.pow(10, k) - 1) : k;
        const y = M.t + ph - k / top * ph;
        s += '<line class="grid-line" x1="' + M.l + '" x2="' + (W - M.r) + '" y1="' + y + '" y2="' + y + '"/>';
        s += '<text class="axis-label" x="' + (M.l - 6) + '" y="' + (y + 4) + '" text-anchor="end">' + compact(log ? Math.round(v + 1) - (k === 0 ? 1 : 0) : v) + '</text>';
      }
      // The surface the brush listens on, under the bars (which take the pointer too).
      s += '<rect id="brush-surface" x="' + M.l + '" y="' + M.t + '" width="' + pw + '" height="' + ph + '" fill="transparent"/>';
      // Bars.
      for (const b of bars) {
        const x0 = Math.max(M.l, sx(b.t)), x1 = Math.min(W - M.r, sx(b.end));
        let w = x1 - x0; if (w > 3) w -= 1; w = Math.max(1, w);
        s += '<g class="bar" data-t="' + b.t + '" data-end="' + b.end + '" data-buckets="' + b.n + '" data-transactions="' + b.tx + '" data-rows="' + b.rows + '">';
        let y = M.t + ph;
        if (b.rows === 0) s += '<rect x="' + x0 + '" y="' + (y - 2) + '" width="' + w + '" height="2" fill="var(--muted)"/>';
        const sum = b.st.reduce((x, z) => x + z, 0), full = f(sum) / top * ph;
        b.st.forEach((v, k) => {
          if (!v) return;
          const h = v / sum * full;
          y -= h;
          s += '<rect x="' + x0 + '" y="' + y + '" width="' + w + '" height="' + Math.max(0.5, h) + '" fill="' + series[k].color + '"/>';
        });
        s += '</g>';
      }
      // Time axis.
      const tt = timeTicks(v0, v1, pw);
      s += '<g class="axis"><line x1="' + M.l + '" x2="' + (W - M.r) + '" y1="' + (M.t + ph) + '" y2="' + (M.t + ph) + '"/>';
      let lastDay = '';
      for (const t of tt.ticks) {
        const x = sx(t), p = parts(t);
        const label = (tt.step < 60 ? p[1] : p[1].slice(0, 5));
        s += '<line x1="' + x + '" x2="' + x + '" y1="' + (M.t + ph) + '" y2="' + (M.t + ph + 4) + '"/>';
        s += '<text x="' + x + '" y="' + (M.t + ph + 16) + '" text-anchor="middle">' + label + (p[0] !== lastDay && tt.step < 86400 ? '' : '') + '</text>';
        if (p[0] !== lastDay) { s += '<text x="' + x + '" y="' + (M.t + ph + 26) + '" text-anchor="middle" font-size="9">' + p[0] + '</text>'; lastDay = p[0]; }
      }
      s += '</g>';
      // Markers: DDL, the largest transactions by rows and by bytes, the longest (first event to commit).
      const a = aggregate(S.view);
      const lanes = { ddl: 10, rows: 22, bytes: 34, long: 46 };
      const mark = (kind, i, x, shape, color, label) =>
        '<g class="marker" data-kind="' + kind + '" data-tx="' + i + '"><title>' + esc(label) + '</title>' + shape(x, color) + '</g>';
      const diamond = (y) => (x, c) => '<path d="M' + x + ' ' + (y - 4.5) + 'l4.5 4.5l-4.5 4.5l-4.5-4.5z" fill="' + c + '"/>' +
        '<line class="stem" x1="' + x + '" x2="' + x + '" y1="' + (y + 5) + '" y2="' + (M.t + ph) + '" stroke="' + c + '"/>';
      const tri = (y) => (x, c) => '<path d="M' + x + ' ' + (y - 4.5) + 'l4.5 8h-9z" fill="' + c + '"/>';
      const sq = (y) => (x, c) => '<rect x="' + (x - 3.5) + '" y="' + (y - 3.5) + '" width="7" height="7" fill="' + c + '"/>';
      for (const d of ddlIn(S.view).slice(0, 300)) {
        const t = TX[d.transaction];
        s += mark('ddl', d.transaction, sx(commitSec(t) + BS / 2), diamond(lanes.ddl), 'var(--ddl)', 'DDL ' + where(t) + ' at ' + civil(commitSec(t)));
      }
      for (const i of topTx(a, 'rows', 5)) {
        const t = TX[i];
        s += mark('rows', i, sx(commitSec(t) + BS / 2), tri(lanes.rows), 'var(--big)', 'largest by rows: ' + num(t.rows) + ' rows, ' + where(t));
      }
      for (const i of topTx(a, 'bytes', 5)) {
        const t = TX[i];
        s += mark('bytes', i, sx(commitSec(t) + BS / 2), sq(lanes.bytes), 'var(--bytes)', 'largest by bytes: ' + bytes(t.bytes) + ', ' + where(t));
      }
      for (const i of topTx(a, 'duration', 5)) {
        const t = TX[i];
        const xa = Math.max(M.l, sx(t.first_ts)), xb = Math.min(W - M.r, sx(commitSec(t) + BS));
        s += mark('long', i, 0, () => '<line x1="' + xa + '" x2="' + Math.max(xa + 2, xb) + '" y1="' + lanes.long + '" y2="' + lanes.long +
          '" stroke="var(--long)" stroke-width="4" stroke-linecap="round"/>', 'var(--long)', 'long: ' + duration(t.duration) + ', ' + where(t));
      }
      s += '<text class="axis-label" x="' + (M.l - 6) + '" y="' + (lanes.ddl + 3) + '" text-anchor="end" font-size="10">DDL</text>';
      s += '<text class="axis-label" x="' + (M.l - 6) + '" y="' + (lanes.rows + 3) + '" text-anchor="end" font-size="10">rows</text>';
      s += '<text class="axis-label" x="' + (M.l - 6) + '" y="' + (lanes.bytes + 3) + '" text-anchor="end" font-size="10">bytes</text>';
      s += '<text class="axis-label" x="' + (M.l - 6) + '" y="' + (lanes.long + 3) + '" text-anchor="end" font-size="10">long</text>';
      // The selection, over the bars (the pointer goes through it to them).
      s += '<rect id="brush" class="brush" y="' + M.t + '" height="' + ph + '" x="0" width="0" visibility="hidden" pointer-events="none"/>';
      svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
      svg.innerHTML = s;
      chartGeom = { W, H, pw, ph, sx, t: (x) => v0 + (x - M.l) / pw * (v1 - v0) };
      drawBrush(S.sel);
    }
    function drawBrush(r) {
      const br = document.getElementById('brush');
      if (!br || !chartGeom) return;
      if (!r) { br.setAttribute('visibility', 'hidden'); return; }
      const x0 = Math.max(M.l, chartGeom.sx(r[0])), x1 = Math.min(M.l + chartGeom.pw, chartGeom.sx(r[1]));
      if (x1 <= x0) { br.setAttribute('visibility', 'hidden'); return; }
      br.setAttribute('x', x0); br.setAttribute('width', Math.max(1, x1 - x0)); br.setAttribute('visibility', 'visible');
    }

    // ---- brush, zoom, tooltips --------------------------------------------------------------
    (function () {
      const svg = $('#chart');
      let drag = null;
      const px = (e) => { const r = svg.getBoundingClientRect(); return (e.clientX - r.left) * (chartGeom.W / r.width); };
      const clampX = (x) => Math.max(M.l, Math.min(M.l + chartGeom.pw, x));
      const rangeOf = (xa, xb) => {
        const a = chartGeom.t(Math.min(xa, xb)), b = chartGeom.t(Math.max(xa, xb));
        return [Math.max(FULL[0], snapDown(a)), Math.min(FULL[1], Math.max(snapUp(b), snapDown(a) + BS))];
      };
      svg.addEventListener('pointerdown', (e) => {
        if (!chartGeom || e.button !== 0 || !(e.target.id === 'brush-surface' || e.target.closest('.bar'))) return;
        drag = { x0: clampX(px(e)), x1: clampX(px(e)) };
        svg.setPointerCapture(e.pointerId);
        e.preventDefault();
      });
      svg.addEventListener('pointermove', (e) => {
        if (drag) { drag.x1 = clampX(px(e)); drawBrush(rangeOf(drag.x0, drag.x1)); hideTip(); return; }
        tip(e);
      });
      svg.addEventListener('pointerup', (e) => {
        if (!drag) return;
        const d = drag; drag = null;
        if (Math.abs(d.x1 - d.x0) < 3) {
          // A click: the bucket (bar) under the pointer, or clear.
          const t = chartGeom.t(d.x0);
          const hit = B.find((b) => t >= b.t && t < b.t + BS);
          S.sel = hit ? [hit.t, hit.t + BS] : null;
        } else {
          S.sel = rangeOf(d.x0, d.x1);
        }
        update();
      });
      svg.addEventListener('dblclick', (e) => { if (S.sel) { S.view = S.sel.slice(); update(); } e.preventDefault(); });
      svg.addEventListener('wheel', (e) => {
        if (!chartGeom || !e.ctrlKey && !e.shiftKey && !e.altKey) return;
        e.preventDefault();
        const t = chartGeom.t(px(e)), k = e.deltaY > 0 ? 1.4 : 1 / 1.4;
        setView(t - (t - S.view[0]) * k, t + (S.view[1] - t) * k);
        update();
      }, { passive: false });
      svg.addEventListener('pointerleave', hideTip);
      svg.addEventListener('click', (e) => {
        const m = e.target.closest('.marker');
        if (m) focusTx(Number(m.dataset.tx));
      });
    })();
    function tip(e) {
      const el = $('#tooltip');
      const m = e.target.closest && e.target.closest('.marker');
      const bar = !m && e.target.closest && e.target.closest('.bar');
      let h = '';
      if (m) h = txTip(TX[Number(m.dataset.tx)]) + '<div class="muted">click for its commands</div>';
      else if (bar) {
        const t = Number(bar.dataset.t), end = Number(bar.dataset.end);
        h = '<div class="t">' + esc(civil(t)) + ' – ' + esc(parts(end)[1]) + '</div>' + num(Number(bar.dataset.transactions)) + ' transactions, ' +
          num(Number(bar.dataset.rows)) + ' row changes';
        const a = aggregate([t, end]);
        const tops = [...a.tables.entries()].sort((x, y) => (y[1][0] + y[1][1] + y[1][2]) - (x[1][0] + x[1][1] + x[1][2])).slice(0, 5);
        for (const [g, c] of tops) h += '<br>' + esc(TL.table_names[g]) + ': ' + num(c[0] + c[1] + c[2]);
        if (a.ddl) h += '<br>' + a.ddl + ' DDL';
      }
      if (!h) { hideTip(); return; }
      el.innerHTML = h; el.hidden = false;
      const w = el.offsetWidth;
      el.style.left = Math.min(window.innerWidth - w - 8, e.clientX + 14) + 'px';
      el.style.top = (e.clientY + 14) + 'px';
    }
    function hideTip() { $('#tooltip').hidden = true; }

    function renderOverview() {
      const svg = $('#overview');
      const W = Math.max(320, svg.clientWidth || 900), H = svg.clientHeight || 46;
      const pw = W - M.l - M.r;
      const sx = (t) => M.l + (t - FULL[0]) / (FULL[1] - FULL[0]) * pw;
      const cols = new Map();
      for (const b of B) { const c = Math.floor(sx(b.t)); cols.set(c, (cols.get(c) || 0) + b.rows + (b.rows ? 0 : 0.0001)); }
      const max = Math.max(1, ...cols.values());
      let s = '<rect x="' + M.l + '" y="0" width="' + pw + '" height="' + H + '" fill="var(--soft)"/>';
      for (const [c, v] of cols) {
        const h = Math.max(1, v / max * (H - 6));
        s += '<rect x="' + c + '" y="' + (H - h) + '" width="1.5" height="' + h + '" fill="var(--muted)"/>';
      }
      const x0 = sx(S.view[0]), x1 = sx(S.view[1]);
      const whole = S.view[0] === FULL[0] && S.view[1] === FULL[1];
      s += '<rect class="view-box' + (whole ? ' full' : '') + '" x="' + x0 + '" y="0.5" width="' + Math.max(2, x1 - x0) + '" height="' + (H - 1) + '"/>';
      svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
      svg.innerHTML = s;
      svg.onpointerdown = (e) => {
        const r = svg.getBoundingClientRect();
        const at = (ev) => FULL[0] + ((ev.clientX - r.left) * (W / r.width) - M.l) / pw * (FULL[1] - FULL[0]);
        const start = at(e);
        svg.setPointerCapture(e.pointerId);
        svg.onpointermove = (ev) => {
          const t = at(ev);
          if (Math.abs(t - start) > (FULL[1] - FULL[0]) / pw * 3) { setView(Math.min(start, t), Math.max(start, t)); renderChart(); renderOverviewBox(); }
        };
        svg.onpointerup = (ev) => {
          svg.onpointermove = null; svg.onpointerup = null;
          const t = at(ev);
          if (Math.abs(t - start) <= (FULL[1] - FULL[0]) / pw * 3) {
            const w = S.view[1] - S.view[0];
            setView(t - w / 2, t + w / 2);
          }
          update();
        };
      };
      function renderOverviewBox() {
        const vb = svg.querySelector('.view-box');
        vb.setAttribute('x', sx(S.view[0])); vb.setAttribute('width', Math.max(2, sx(S.view[1]) - sx(S.view[0])));
      }
    }
    function renderLegend() {
      let s = seriesNow.map((x) => '<span><i style="background:' + x.color + '"></i>' + esc(x.label) + '</span>').join('');
      s += '<span><i style="background:var(--ddl)"></i>DDL ◆</span><span><i style="background:var(--big)"></i>largest by rows ▲</span>' +
        '<span><i style="background:var(--bytes)"></i>largest by bytes ■</span><span><i style="background:var(--long)"></i>longest (first event → commit)</span>';
      $('#legend').innerHTML = s;
    }

    """#
}
