/// The report as one self-contained HTML page: markup, style and script inline, the data as a
/// JSON island (`<script type="application/json" id="sluice-data">`), charts drawn as inline SVG
/// by the page's own script. No request leaves the page: no CDN, no web font, no image.
public enum ReportPage {
  /// The page for a report's JSON (`ReportJSON.render`).
  public static func render(json: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(json.count + head.utf8.count + style.utf8.count + body.utf8.count + script.utf8.count + 256)
    out.append(contentsOf: head.utf8)
    out.append(contentsOf: style.utf8)
    out.append(contentsOf: body.utf8)
    out.append(contentsOf: "<script type=\"application/json\" id=\"sluice-data\">".utf8)
    // `<` only appears inside JSON strings: as \u003c no statement text can close the element.
    // Newlines are dropped. The runs between them are copied whole.
    json.withUnsafeBufferPointer { j in
      var start = 0
      for i in j.indices where j[i] == UInt8(ascii: "<") || j[i] == UInt8(ascii: "\n") {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: j[start..<i]))
        if j[i] == UInt8(ascii: "<") { out.append(contentsOf: "\\u003c".utf8) }
        start = i + 1
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: j[start...]))
    }
    out.append(contentsOf: "</script>\n<script>\n".utf8)
    out.append(contentsOf: script.utf8)
    out.append(contentsOf: "\n</script>\n</body>\n</html>\n".utf8)
    return out
  }

  static let head = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="sluice report">
    <title>Sluice report</title>

    """#

  static let body = #"""
    </head>
    <body>
    <header>
      <div class="brand">sluice report</div>
      <h1 id="title">What happened</h1>
      <div class="sub" id="subtitle"></div>
      <div class="highlights" id="highlights"></div>
    </header>
    <main>
    <section class="cards" id="cards"></section>
    <section class="panel" id="timeline-panel">
      <div class="panel-head">
        <h2>Row changes over time</h2>
        <div class="toolbar">
          <span class="seg" role="group" aria-label="stack by">
            <span class="label">stack by</span>
            <button type="button" data-stack="table" class="on">table</button>
            <button type="button" data-stack="type">type</button>
          </span>
          <span class="seg" role="group" aria-label="scale">
            <span class="label">scale</span>
            <button type="button" data-scale="linear" class="on">linear</button>
            <button type="button" data-scale="log">log</button>
          </span>
          <span class="seg" role="group" aria-label="zoom">
            <button type="button" id="zoom-in" title="Zoom to the selection (or double-click the chart)">zoom to selection</button>
            <button type="button" id="zoom-out">zoom out</button>
            <button type="button" id="zoom-reset">whole range</button>
          </span>
        </div>
      </div>
      <div class="selection-line"><span id="selection-text"></span> <button type="button" id="clear-selection" class="link" hidden>clear selection</button></div>
      <div id="chart-box"><svg id="chart" role="img" aria-label="row changes per time bucket"></svg></div>
      <div id="overview-box"><svg id="overview" role="img" aria-label="whole range"></svg></div>
      <div class="legend" id="legend"></div>
      <div class="hint">Drag across the chart to select a time range: every panel below narrows to it. Double-click zooms in, Ctrl + wheel zooms around the pointer; click a marker for its transaction and commands.</div>
    </section>
    <div class="grid2">
      <section class="panel" id="tables-panel">
        <div class="panel-head"><h2>Top tables</h2>
          <div class="toolbar"><span class="seg"><span class="label">by</span><button type="button" data-tsort="rows" class="on">rows</button><button type="button" data-tsort="bytes">bytes</button></span></div>
        </div>
        <div id="tables" class="scroll"></div>
      </section>
      <section class="panel" id="tx-panel">
        <div class="panel-head"><h2>Top transactions</h2>
          <div class="toolbar"><span class="seg"><span class="label">by</span><button type="button" data-txsort="rows" class="on">rows</button><button type="button" data-txsort="bytes">bytes</button><button type="button" data-txsort="duration">duration</button></span></div>
        </div>
        <div id="transactions" class="scroll"></div>
      </section>
    </div>
    <section class="panel" id="ddl-panel"><div class="panel-head"><h2>DDL</h2></div><div id="ddl" class="scroll"></div></section>
    <div class="grid2">
      <section class="panel" id="servers-panel"><div class="panel-head"><h2>Per server id</h2></div><div id="servers" class="scroll"></div></section>
      <section class="panel" id="domains-panel"><div class="panel-head"><h2>Per GTID source / domain</h2></div><div id="domains" class="scroll"></div></section>
    </div>
    <section class="panel" id="files-panel"><div class="panel-head"><h2>Files: checksums and damage</h2></div><div id="files" class="scroll"></div></section>
    <section class="panel" id="warnings-panel" hidden><div class="panel-head"><h2>Warnings</h2></div><ul id="warnings"></ul></section>
    </main>
    <footer id="footer">Made by <code>sluice report</code>. Everything this page shows is in the JSON inside it
    (<code>script#sluice-data</code>; <code>sluice report --format json</code> writes the same), so it can be read without a browser.</footer>
    <div id="tooltip" role="tooltip" hidden></div>
    <div id="toast" hidden></div>
    <noscript><p class="noscript">This report draws its charts with JavaScript; the data is in the page source as JSON.</p></noscript>

    """#
}
