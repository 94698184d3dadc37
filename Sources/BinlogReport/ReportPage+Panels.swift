extension ReportPage {
  /// Header, summary cards and the panels under the chart; each is redrawn from the sums of
  /// the selected range (`aggregate(active())`).
  static let panelScript = #"""
    function rangeText(r) {
      const a = parts(r[0]), b = parts(r[1]);
      return a[0] + ' ' + a[1] + ' → ' + (a[0] === b[0] ? b[1] : b[0] + ' ' + b[1]);
    }
    function renderHeader() {
      const first = D.window.first_commit_us, last = D.window.last_commit_us;
      const r = first != null ? [Math.floor(first / 1e6), Math.floor(last / 1e6)] : FULL;
      $('#title').textContent = 'What happened ' + rangeText(r) + (ZONE.toUpperCase() === 'UTC' ? ' UTC' : ' (' + ZONE + ')');
      document.title = 'Sluice report ' + rangeText(r);
      const gen = D.generated_at ? ' · made ' + new Date(D.generated_at * 1000).toISOString().replace('.000Z', 'Z') : '';
      $('#subtitle').innerHTML = num(D.files) + ' file' + (D.files === 1 ? '' : 's') + ' (' + bytes(D.bytes) + ') from <code>' +
        esc(D.inputs.join(' ')) + '</code> · commit times, ' + (BS === 1 ? 'per second' : 'per minute') +
        (D.window.start != null || D.window.stop != null ? ' · window ' + (D.window.start != null ? civil(D.window.start) : '…') + ' → ' +
          (D.window.stop != null ? civil(D.window.stop) : '…') : '') + gen;
    }
    function renderHighlights() {
      const r = active(), a = aggregate(r);
      const h = [];
      let busiest = null;
      for (const b of B) if (inRange(b.t, r) && (!busiest || b.rows > busiest.rows)) busiest = b;
      if (busiest && busiest.rows) {
        const t = busiest.tables.slice().sort((x, y) => (y[1] + y[2] + y[3]) - (x[1] + x[2] + x[3]))[0];
        h.push('busiest ' + (BS === 1 ? 'second' : 'minute') + ' <b>' + esc(parts(busiest.t)[1].slice(0, BS === 1 ? 8 : 5)) + '</b>: ' + num(busiest.rows) + ' row changes' +
          (t ? ', most in <b>' + esc(TL.table_names[t[0]]) + '</b>' : ''));
      }
      const big = topTx(a, 'rows', 1)[0];
      if (big !== undefined) h.push('largest transaction <b>' + esc(where(TX[big])) + '</b>: ' + num(TX[big].rows) + ' rows at ' + esc(parts(commitSec(TX[big]))[1]));
      const long = topTx(a, 'duration', 1)[0];
      if (long !== undefined) h.push('longest <b>' + duration(TX[long].duration) + '</b> (' + esc(where(TX[long])) + ')');
      if (a.ddl) h.push('<b>' + num(a.ddl) + '</b> DDL');
      const damaged = D.file_status.filter((f) => f.damage).length;
      if (damaged) h.push('<b style="color:var(--bad)">' + damaged + ' damaged file' + (damaged > 1 ? 's' : '') + '</b>');
      $('#highlights').innerHTML = h.map((x) => '<span>' + x + '</span>').join('');
    }
    function card(key, label, value, detail, extra, cls) {
      return '<div class="card' + (cls ? ' ' + cls : '') + '"><div class="k">' + label + '</div><div class="v" data-total="' + key + '">' + value +
        '</div><div class="d">' + (detail || '') + '</div>' + (extra || '') + '</div>';
    }
    function renderCards() {
      const a = aggregate(active());
      const total = a.inserts + a.updates + a.deletes || 1;
      const split = '<div class="split"><span style="width:' + (a.inserts / total * 100) + '%;background:var(--ins)"></span><span style="width:' +
        (a.updates / total * 100) + '%;background:var(--upd)"></span><span style="width:' + (a.deletes / total * 100) + '%;background:var(--del)"></span></div>';
      const damaged = D.file_status.filter((f) => f.damage).length;
      const tail = D.file_status.filter((f) => f.trailing_bytes > 0).length;
      let s = card('transactions', 'Transactions', num(a.transactions), S.sel || S.view[0] !== FULL[0] || S.view[1] !== FULL[1] ? 'of ' + num(D.transactions) + ' in the report' : '');
      s += card('rows', 'Row changes', num(a.rows), '<span style="color:var(--ins)">+' + num(a.inserts) + '</span> · <span style="color:var(--upd)">~' +
        num(a.updates) + '</span> · <span style="color:var(--del)">−' + num(a.deletes) + '</span>', split);
      s += card('bytes', 'Transaction bytes', bytes(a.bytes), num(a.bytes) + ' bytes of events');
      s += card('tables', 'Tables changed', num(a.tables.size), '');
      s += card('ddl', 'DDL', num(a.ddl), a.ddl ? 'schema changes (◆ on the chart)' : 'no schema change');
      s += card('files', 'Files', num(D.file_status.length), damaged ? damaged + ' damaged' : tail ? tail + ' with an incomplete last event' : 'checksums and chain OK',
        '', damaged ? 'bad' : '');
      $('#cards').innerHTML = s;
    }
    function renderSelection() {
      const r = active();
      const zoomed = S.view[0] !== FULL[0] || S.view[1] !== FULL[1];
      $('#selection-text').innerHTML = S.sel ? 'Selected <b>' + esc(rangeText(r)) + '</b>: the panels below show this range only. ' +
        copyButton(showRange(r), 'the command for this range') :
        (zoomed ? 'Zoomed to ' + esc(rangeText(r)) + ': the panels below show this range.' : 'Whole range: drag on the chart to narrow every panel.');
      $('#clear-selection').hidden = !S.sel;
      $('#zoom-in').disabled = !S.sel;
    }
    function hbar(values, colors, max) {
      return '<div class="hbar">' + values.map((v, i) => '<span style="width:' + (v / (max || 1) * 100) + '%;background:' + colors[i] + '"></span>').join('') + '</div>';
    }
    function renderTables() {
      const r = active(), a = aggregate(r);
      const key = S.tsort === 'bytes' ? (c) => c[3] : (c) => c[0] + c[1] + c[2];
      const list = [...a.tables.entries()].sort((x, y) => key(y[1]) - key(x[1]) || (TL.table_names[x[0]] < TL.table_names[y[0]] ? -1 : 1));
      if (!list.length) { $('#tables').innerHTML = '<div class="empty">No row changes in this range.</div>'; return; }
      const max = Math.max(...list.map(([, c]) => key(c)));
      const shown = S.allTables ? list : list.slice(0, 15);
      let s = '<table id="tables-table"><thead><tr><th>table</th><th class="n">inserts</th><th class="n">updates</th><th class="n">deletes</th>' +
        '<th class="n">bytes</th><th class="n">trx</th><th></th></tr></thead><tbody>';
      for (const [g, c] of shown) {
        const name = TL.table_names[g];
        const bar = S.tsort === 'bytes' ? hbar([c[3]], ['var(--bytes)'], max) : hbar([c[0], c[1], c[2]], ['var(--ins)', 'var(--upd)', 'var(--del)'], max);
        s += '<tr data-table="' + esc(name) + '" data-rows="' + (c[0] + c[1] + c[2]) + '" data-bytes="' + c[3] + '"><td class="mono name">' + esc(name) + bar +
          '</td><td class="n">' + num(c[0]) + '</td><td class="n">' + num(c[1]) + '</td><td class="n">' +
          num(c[2]) + '</td><td class="n" title="' + num(c[3]) + ' bytes">' + bytes(c[3]) + '</td><td class="n">' + num(c[4]) + '</td><td class="cmds">' +
          copyButtons(showTable(name, r), undoTable(name, r)) + '</td></tr>';
      }
      s += '</tbody></table>';
      if (list.length > 15) s += '<div class="more"><button type="button" class="link" id="all-tables">' + (S.allTables ? 'show the top 15' : 'show all ' + list.length + ' tables') + '</button></div>';
      $('#tables').innerHTML = s;
    }
    function txRow(i) {
      const t = TX[i], p = parts(commitSec(t));
      return '<tr data-tx="' + i + '"><td class="mono when">' + p[1] + '<div class="muted">' + p[0] + '</div></td><td class="mono gtid">' + esc(where(t)) +
        (t.ddl ? ' <span class="pill warn">DDL</span>' : '') + '<div class="touches">' + touches(t) + '</div></td><td class="n">' + (t.duration ? duration(t.duration) : '&lt;1 s') +
        '</td><td class="n">' + num(t.rows) + '</td><td class="n" title="' + num(t.bytes) + ' bytes">' + bytes(t.bytes) + '</td><td class="cmds">' +
        copyButtons(t.show, t.undo) + '</td></tr>';
    }
    function renderTransactions() {
      const a = aggregate(active());
      const list = topTx(a, S.txsort, TOP);
      if (!list.length) {
        $('#transactions').innerHTML = '<div class="empty">' + (S.txsort === 'duration' ? 'No transaction lasted a second or more in this range.' : 'No transactions in this range.') + '</div>';
        return;
      }
      $('#transactions').innerHTML = '<table id="tx-table"><thead><tr><th>commit</th><th>GTID (or file:position) · rows per table</th><th class="n">duration</th>' +
        '<th class="n">rows</th><th class="n">bytes</th><th></th></tr></thead><tbody>' + list.map(txRow).join('') + '</tbody></table>';
    }
    function renderDDL() {
      const list = ddlIn(active());
      if (!list.length) { $('#ddl').innerHTML = '<div class="empty">No DDL in this range.</div>'; return; }
      const shown = S.allDDL ? list : list.slice(0, 12);
      let s = '<table id="ddl-table"><thead><tr><th>commit</th><th>GTID (or file:position)</th><th>database</th><th>statement</th><th></th></tr></thead><tbody>';
      for (const d of shown) {
        const t = TX[d.transaction], p = parts(commitSec(t));
        const sql = d.statements.map((x) => x.sql).join(';\n') || '(statement text not in the index)';
        const db = [...new Set(d.statements.map((x) => x.database).filter(Boolean))].join(', ');
        s += '<tr data-tx="' + d.transaction + '"><td class="mono when">' + p[1] + '<div class="muted">' + p[0] + '</div></td><td class="mono gtid">' + esc(where(t)) +
          '</td><td class="mono">' + esc(db) + '</td><td><pre class="sql">' + esc(sql) + '</pre></td><td class="cmds">' + copyButtons(t.show, null) + '</td></tr>';
      }
      s += '</tbody></table>';
      if (list.length > 12) s += '<div class="more"><button type="button" class="link" id="all-ddl">' + (S.allDDL ? 'show the first 12' : 'show all ' + list.length + ' DDL transactions') + '</button></div>';
      if (D.ddl_left_out) s += '<div class="muted">' + num(D.ddl_left_out) + ' more DDL transactions are not listed in this report (see sluice stats).</div>';
      $('#ddl').innerHTML = s;
    }
    function countTable(id, rows, label) {
      if (!rows.length) return '<div class="empty">No transactions in this range.</div>';
      const max = Math.max(...rows.map((x) => x[1]));
      return '<table id="' + id + '"><thead><tr><th>' + label + '</th><th></th><th class="n">transactions</th></tr></thead><tbody>' +
        rows.map(([k, n]) => '<tr data-key="' + esc(k) + '"><td class="mono gtid">' + esc(k) + '</td><td class="barcell">' + hbar([n], ['var(--accent)'], max) +
          '</td><td class="n">' + num(n) + '</td></tr>').join('') + '</tbody></table>';
    }
    function renderServers() {
      const a = aggregate(active());
      $('#servers').innerHTML = countTable('servers-table', [...a.servers.entries()].sort((x, y) => x[0] - y[0]).map(([k, n]) => [String(k), n]), 'server id');
    }
    function renderDomains() {
      const a = aggregate(active());
      $('#domains').innerHTML = countTable('domains-table', [...a.domains.entries()].map(([d, n]) => [TL.domain_names[d], n]).sort((x, y) => (x[0] < y[0] ? -1 : 1)), 'GTID source / domain');
    }
    function renderFiles() {
      const r = active();
      let s = '<table id="files-table"><thead><tr><th>file</th><th class="n">size</th><th class="n">events</th><th class="n">trx in range / all</th>' +
        '<th>commits</th><th>checksum</th><th>ends</th><th>status</th></tr></thead><tbody>';
      D.file_status.forEach((f, i) => {
        let status, cls;
        if (f.damage) { status = 'damaged: ' + esc(f.damage.message); cls = 'bad'; }
        else if (f.trailing_bytes > 0) { status = num(f.trailing_bytes) + ' bytes after the last complete event (cut short, or still being written)'; cls = 'warn'; }
        else { status = 'OK'; cls = 'ok'; }
        const inRangeCount = f.first_commit_us == null ? 0 : (commitOverlap(f, r) ? 1 : 0);
        const cks = f.damage ? '—' : f.checksum === 'CRC32' ? 'CRC32 ' + (f.checksums_verified === true ? '<span class="pill ok">verified now</span>' :
          f.checksums_verified === false ? '<span class="pill warn">not verified</span>' : '<span class="muted">verified when indexed</span>') : esc(f.checksum || '—');
        const ends = f.damage ? '—' : f.rotate_to ? 'rotate → <span class="mono">' + esc(f.rotate_to) + '</span>' : '<span class="pill warn">no Rotate</span>';
        const commits = f.first_commit_us != null ? esc(civil(Math.floor(f.first_commit_us / 1e6))) + ' → ' + esc(parts(Math.floor(f.last_commit_us / 1e6))[1]) : '<span class="muted">none in the report</span>';
        s += '<tr class="' + (inRangeCount || f.damage ? '' : 'dim') + '" data-file="' + esc(f.file) + '"><td class="mono">' + esc(f.file) + (f.archive ? ' <span class="pill ok">zstd archive</span>' : '') +
          '</td><td class="n" title="' + (f.size != null ? num(f.size) + ' bytes' : '') + '">' + (f.size != null ? bytes(f.size) : '—') + '</td><td class="n">' +
          (f.events != null ? num(f.events) : '—') + '</td><td class="n">' + (f.transactions != null ? num(f.transactions_in_window) + ' / ' + num(f.transactions) : '—') +
          '</td><td class="mono">' + commits + '</td><td>' + cks + '</td><td>' + ends + '</td><td><span class="pill ' + cls + '">' + (cls === 'ok' ? 'OK' : cls === 'bad' ? 'damaged' : 'warning') +
          '</span>' + (cls !== 'ok' ? '<div class="muted">' + status + '</div>' : '') + (f.index_note ? '<div class="muted">index: ' + esc(f.index_note) + '</div>' : '') + '</td></tr>';
      });
      $('#files').innerHTML = s + '</tbody></table>';
    }
    function commitOverlap(f, r) {
      return Math.floor(f.first_commit_us / 1e6) < r[1] && Math.floor(f.last_commit_us / 1e6) >= r[0];
    }
    function renderWarnings() {
      if (!D.warnings.length) return;
      $('#warnings-panel').hidden = false;
      $('#warnings').innerHTML = D.warnings.map((w) => '<li>' + esc(w) + '</li>').join('');
    }
    function focusTx(i) {
      const t = TX[i];
      document.querySelectorAll('tr.hl').forEach((x) => x.classList.remove('hl'));
      const rows = document.querySelectorAll('tr[data-tx="' + i + '"]');
      rows.forEach((x) => x.classList.add('hl'));
      let h = '<b>' + esc(where(t)) + '</b> · ' + esc(civil(commitSec(t))) + ' · ' + num(t.rows) + ' rows · ' + bytes(t.bytes) +
        (t.duration ? ' · ' + duration(t.duration) : '') + '<br><code>' + esc(t.show) + '</code> ' + copyButtons(t.show, null);
      if (t.undo) h += '<br><code>' + esc(t.undo) + '</code> ' + copyButton(t.undo, 'undo', 'undo');
      toast(h, true);
    }

    """#
}
