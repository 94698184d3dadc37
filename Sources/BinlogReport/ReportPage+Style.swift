extension ReportPage {
  /// System fonts only (nothing is fetched); light and dark schemes; printable.
  static let style = #"""
    <style>
    :root {
      --bg: #f6f7f9; --panel: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --soft: #f1f3f6;
      --accent: #3b5bdb; --sel: rgba(59, 91, 219, 0.12); --sel-line: #3b5bdb;
      --ins: #2f9e44; --upd: #3b7dd8; --del: #e03131; --ddl: #7048e8; --big: #f08c00; --bytes: #0c8599; --long: #c2255c;
      --bad: #c92a2a; --warn: #e67700; --ok: #2b8a3e;
    }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #111418; --panel: #1a1e24; --ink: #e6e8eb; --muted: #98a2b3; --line: #2c323a; --soft: #22272e;
        --accent: #748ffc; --sel: rgba(116, 143, 252, 0.18); --sel-line: #748ffc; }
    }
    * { box-sizing: border-box; }
    html { background: var(--bg); color: var(--ink); }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
    header { padding: 22px 28px 8px; }
    .brand { font-size: 12px; letter-spacing: .12em; text-transform: uppercase; color: var(--accent); font-weight: 700; }
    h1 { margin: 4px 0 2px; font-size: 24px; font-weight: 650; }
    h2 { margin: 0; font-size: 15px; font-weight: 650; }
    .sub { color: var(--muted); font-size: 13px; }
    main { padding: 8px 28px 28px; display: flex; flex-direction: column; gap: 16px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
    .card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
    .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
    .card .v { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; }
    .card .d { color: var(--muted); font-size: 12px; margin-top: 2px; }
    .card .split { display: flex; height: 5px; border-radius: 3px; overflow: hidden; margin-top: 6px; background: var(--soft); }
    .card.bad { border-color: var(--bad); } .card.bad .v { color: var(--bad); }
    .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; }
    .panel-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
    .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
    .toolbar { display: flex; gap: 10px; flex-wrap: wrap; }
    .seg { display: inline-flex; align-items: center; gap: 0; }
    .seg .label { color: var(--muted); font-size: 12px; margin-right: 6px; }
    button { font: inherit; font-size: 12.5px; color: var(--ink); background: var(--soft); border: 1px solid var(--line);
      padding: 3px 9px; cursor: pointer; }
    .seg button { border-radius: 0; margin-left: -1px; }
    .seg button:first-of-type { border-radius: 6px 0 0 6px; }
    .seg button:last-of-type { border-radius: 0 6px 6px 0; }
    .seg button:only-of-type { border-radius: 6px; }
    button.on { background: var(--accent); border-color: var(--accent); color: #fff; }
    button:disabled { opacity: .45; cursor: default; }
    button.link { background: none; border: 0; color: var(--accent); padding: 0; text-decoration: underline; }
    button.copy { border-radius: 6px; padding: 1px 6px; font-size: 11.5px; white-space: nowrap; display: inline-flex; align-items: center; gap: 3px; }
    .scroll { overflow-x: auto; }
    button.copy.undo { color: var(--del); }
    .selection-line { min-height: 20px; color: var(--muted); font-size: 13px; }
    #chart-box { position: relative; }
    #chart, #overview { display: block; width: 100%; user-select: none; }
    #chart { height: 290px; }
    #overview { height: 46px; margin-top: 4px; }
    .axis text { fill: var(--muted); font-size: 11px; }
    .axis line, .axis path { stroke: var(--line); }
    .grid-line { stroke: var(--line); stroke-dasharray: 2 3; }
    #chart { cursor: crosshair; }
    .bar rect { shape-rendering: crispEdges; }
    .bar:hover rect { opacity: .8; }
    .brush { fill: var(--sel); stroke: var(--sel-line); stroke-width: 1; }
    .view-box { fill: var(--sel); stroke: var(--sel-line); }
    .view-box.full { fill: none; }
    .marker { cursor: pointer; }
    .marker .stem { stroke-width: 1; stroke-dasharray: 3 3; opacity: .55; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin-top: 8px; }
    .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
    .hint { color: var(--muted); font-size: 12px; margin-top: 6px; }
    table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 6px; }
    td { border-bottom: 1px solid var(--line); padding: 5px 5px; vertical-align: top; font-size: 13px; }
    .highlights { display: flex; flex-wrap: wrap; gap: 6px 18px; color: var(--ink); font-size: 13.5px; margin-top: 10px; }
    .highlights span b { font-weight: 650; }
    tr:last-child td { border-bottom: 0; }
    td.n, th.n { text-align: right; white-space: nowrap; }
    td.cmds { white-space: nowrap; text-align: right; }
    td.when { white-space: nowrap; }
    tr.hl td { background: var(--sel); }
    tr.dim td { opacity: .45; }
    .barcell { position: relative; min-width: 50px; width: 18%; }
    .hbar { display: flex; height: 8px; border-radius: 2px; overflow: hidden; margin-top: 5px; background: var(--soft); }
    .hbar span { display: block; height: 100%; }
    .muted { color: var(--muted); }
    .gtid { word-break: break-all; }
    .pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px; font-weight: 600; }
    .pill.ok { background: rgba(43, 138, 62, .12); color: var(--ok); }
    .pill.warn { background: rgba(230, 119, 0, .13); color: var(--warn); }
    .pill.bad { background: rgba(201, 42, 42, .13); color: var(--bad); }
    .sql { white-space: pre-wrap; word-break: break-word; margin: 0; max-height: 9em; overflow: auto; background: var(--soft);
      border-radius: 6px; padding: 6px 8px; }
    .touches { color: var(--muted); font-size: 12px; word-break: normal; overflow-wrap: anywhere; }
    td.name { width: 40%; overflow-wrap: anywhere; }
    td.name .hbar { max-width: 260px; }
    .empty { color: var(--muted); padding: 8px 0; }
    .more { margin-top: 6px; }
    #tooltip { position: fixed; z-index: 10; pointer-events: none; background: var(--panel); color: var(--ink);
      border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 4px 16px rgba(0,0,0,.15); padding: 7px 9px;
      font-size: 12px; max-width: 420px; }
    #tooltip .t { font-weight: 650; margin-bottom: 2px; }
    #toast { position: fixed; left: 50%; bottom: 18px; transform: translateX(-50%); z-index: 11; max-width: min(900px, 92vw);
      background: #1d2330; color: #fff; border-radius: 8px; padding: 8px 12px; font-size: 12.5px; box-shadow: 0 6px 20px rgba(0,0,0,.25); }
    #toast code { color: #d0ebff; word-break: break-all; }
    footer { color: var(--muted); font-size: 12px; padding: 0 28px 28px; }
    .noscript { padding: 0 28px; color: var(--bad); }
    @media print { .toolbar, button.copy, .hint, #overview-box { display: none; } .panel, .card { break-inside: avoid; } }
    </style>

    """#
}
