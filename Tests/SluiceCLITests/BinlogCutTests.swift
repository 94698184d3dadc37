import Foundation
import SluiceTestSupport
import XCTest

/// `sluice query --format binlog` against reality: the cut is a binlog `mariadb-binlog` reads as
/// well as the source, decodes to the same row images, and Sluice reads back to the same changes.
extension CLITests {
  struct Cut {
    var path: String
    var args: [String]
    /// mariadb-binlog cannot read the source either (MySQL 8 Transaction_payload events, unknown
    /// charsets): the cut must then fail or warn exactly as the source does.
    var sourceReadsCleanly = true
  }

  func mariadbBinlog() throws -> String {
    for p in ["/usr/bin/mariadb-binlog", "/usr/local/bin/mariadb-binlog", "/usr/bin/mysqlbinlog"]
    where FileManager.default.isExecutableFile(atPath: p) {
      return p
    }
    throw XCTSkip("mariadb-binlog is not installed")
  }

  /// Runs a tool in UTC (mariadb-binlog prints times in the local zone).
  func runTool(_ tool: String, _ args: [String]) throws -> Run { try runProgram(tool, args, environment: ["TZ": "UTC"]) }

  /// The byte ranges of the transactions `query` selects, contiguous ones merged.
  func transactionRanges(_ args: [String], _ file: String) throws -> [(UInt64, UInt64)] {
    let r = try run(["query", "--no-schema", "--format", "text"] + args + [file])
    XCTAssertEqual(r.status, 0, r.stderr)
    var ranges: [(UInt64, UInt64)] = []
    for line in r.lines where line.hasPrefix("# ") {
      // "# name:start-end commit ..."
      let loc = line.dropFirst(2).prefix { $0 != " " }
      let span = loc[loc.index(after: loc.lastIndex(of: ":")!)...].split(separator: "-")
      let (s, e) = (UInt64(span[0])!, UInt64(span[1])!)
      if let last = ranges.last, last.1 == s { ranges[ranges.count - 1].1 = e } else { ranges.append((s, e)) }
    }
    return ranges
  }

  /// `### ` lines (decoded row images) of `mariadb-binlog -v`.
  func rowImageLines(_ r: Run) -> [Substring] {
    r.text.split(separator: "\n").filter { $0.hasPrefix("### ") }
  }

  /// NDJSON changes without the fields that name where they were read (file, offsets).
  func changesWithoutPlace(_ args: [String]) throws -> [String] {
    let r = try run(["query", "--no-schema", "--format", "ndjson"] + args)
    XCTAssertEqual(r.status, 0, r.stderr)
    let place = try NSRegularExpression(pattern: #""file":"[^"]*",|"pos":[0-9]+,"end":[0-9]+,"#)
    return r.lines.map { l in
      let s = String(l)
      return place.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "")
    }
  }

  func checkCut(_ c: Cut, file: StaticString = #filePath, line: UInt = #line) throws {
    let mb = try mariadbBinlog()
    guard FileManager.default.fileExists(atPath: c.path) else { throw XCTSkip("missing \(c.path)") }
    let out = try temporaryDirectory() + "/cut.bin"
    let q = try run(["query", "--format", "binlog", "-o", out] + c.args + [c.path])
    XCTAssertEqual(q.status, 0, "\(c.path) \(c.args): \(q.stderr)", file: file, line: line)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
    XCTAssertEqual(Array(bytes.prefix(4)), [0xFE, 0x62, 0x69, 0x6E], "magic", file: file, line: line)
    XCTAssertEqual(bytes.count > 8 ? bytes[bytes.startIndex + 8] : 0, 15, "Format_description first", file: file, line: line)

    let ranges = try transactionRanges(c.args, c.path)
    XCTAssertFalse(ranges.isEmpty, "\(c.path) \(c.args): the cut should select transactions", file: file, line: line)

    // (a) mariadb-binlog reads the cut (as well as the source).
    let plain = try runTool(mb, [out])
    if c.sourceReadsCleanly {
      XCTAssertEqual(plain.status, 0, "\(c.path) \(c.args): mariadb-binlog: \(plain.stderr)", file: file, line: line)
      XCTAssertEqual(plain.stderr, "", "\(c.path) \(c.args)", file: file, line: line)
    } else {
      let src = try runTool(mb, ["--start-position=\(ranges[0].0)", "--stop-position=\(ranges.last!.1)", c.path])
      XCTAssertEqual(plain.status, src.status, "\(c.path): cut \(plain.stderr) source \(src.stderr)", file: file, line: line)
    }

    // (b) the same row images as mariadb-binlog over the same transactions of the source.
    let cutRows = rowImageLines(try runTool(mb, ["--base64-output=decode-rows", "-v", out]))
    var srcRows: [Substring] = []
    for (s, e) in ranges {
      srcRows += rowImageLines(
        try runTool(mb, ["--base64-output=decode-rows", "-v", "--start-position=\(s)", "--stop-position=\(e)", c.path]))
    }
    XCTAssertEqual(cutRows.count, srcRows.count, "\(c.path) \(c.args): ### lines", file: file, line: line)
    XCTAssertEqual(cutRows, srcRows, "\(c.path) \(c.args)", file: file, line: line)

    // (c) Sluice reads the same changes from the cut as from the source with the filter.
    let fromCut = try changesWithoutPlace([out])
    let fromSource = try changesWithoutPlace(c.args + [c.path])
    XCTAssertFalse(fromSource.isEmpty, file: file, line: line)
    XCTAssertEqual(fromCut, fromSource, "\(c.path) \(c.args)", file: file, line: line)
  }

  func testBinlogCutOfMariaDBFixturesReadsLikeTheSource() throws {
    let f = Self.fixture
    try checkCut(Cut(path: f, args: ["--start-position", "20000", "--stop-position", "60000"]))
    try checkCut(Cut(path: f, args: ["--table", "sluice_shop.orders"]))
    try checkCut(Cut(path: f, args: ["--start-datetime", "2024-03-01 00:25:00", "--stop-datetime", "2024-03-01 00:40:00"]))
    let compressed = Self.packageRoot + "/Fixtures/mariadb-10.11-compressed/binlog.000002"
    try checkCut(Cut(path: compressed, args: ["--table", "sluice_misc.churn"]))
    try checkCut(Cut(path: compressed, args: ["--type", "delete"]))
  }

  func testBinlogCutOfCorpusFilesReadsLikeTheSource() throws {
    let c = Self.corpus
    // MySQL 5.1, no checksums
    try checkCut(Cut(path: c + "/alibaba__canal/mysql-bin.000001", args: ["--table", "erosa.testpk"]))
    // MySQL 5.7 with CRC32
    try checkCut(
      Cut(path: c + "/alibaba__canal/tsdb_mysql-bin.000003", args: ["--start-position", "2000", "--stop-position", "9000"]))
    try checkCut(Cut(path: c + "/alibaba__canal/tsdb_mysql-bin.000003", args: ["--table", "wanshao.wanshao_test"]))
    // MySQL 8.0 with GTIDs (mariadb-binlog does not know its utf8mb4_0900 charset, source or cut)
    try checkCut(
      Cut(path: c + "/zendesk__maxwell/binlog.000004", args: ["--table", "bac_schema.bac_history"], sourceReadsCleanly: false))
    // MySQL 8.0 Transaction_payload (zstd): mariadb-binlog refuses the source too
    try checkCut(
      Cut(
        path: c + "/apecloud__mysql-binlog-connector-rust/mysql-bin.000057", args: ["--table", "a.test_table_3"],
        sourceReadsCleanly: false))
    // MariaDB 10.5
    try checkCut(Cut(path: c + "/blackbeam__rust_mysql_common/mariadb-bin.000001", args: ["--table", "toddy_test.outbox"]))
  }

  func testBinlogCutAcrossFilesEqualsFromSeekableArchives() throws {
    let dir = try temporaryDirectory()
    let plain = dir + "/plain"
    let zst = dir + "/zst"
    for d in [plain, zst] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    for n in 1...3 {
      try FileManager.default.copyItem(atPath: Self.fixtureDir + "/binlog.00000\(n)", toPath: plain + "/binlog.00000\(n)")
    }
    let a = try run(["archive", "--output-dir", zst, "--frame-size", "4096"] + (1...3).map { plain + "/binlog.00000\($0)" })
    XCTAssertEqual(a.status, 0, a.stderr)
    let window = ["--start-position", "binlog.000001:20000", "--stop-position", "binlog.000003:5000"]
    let fromPlain = try run(["query", "--format", "binlog"] + window + [plain])
    let fromZst = try run(["query", "--format", "binlog"] + window + [zst])
    XCTAssertEqual(fromPlain.status, 0, fromPlain.stderr)
    XCTAssertEqual(fromZst.status, 0, fromZst.stderr)
    XCTAssertEqual(fromPlain.stdout, fromZst.stdout, "archive frames must give the same bytes as the mapped files")
    // One Format_description per source file the window spans (their bytes differ).
    let out = dir + "/cut.bin"
    try fromPlain.stdout.write(to: URL(fileURLWithPath: out))
    let events = try run(["events", "--format", "ndjson", out])
    XCTAssertEqual(events.status, 0, events.stderr)
    XCTAssertEqual(events.lines.filter { $0.contains("Format_desc") }.count, 3, events.text.prefix(2000).description)
    XCTAssertEqual(try changesWithoutPlace([out]), try changesWithoutPlace(window + [plain]))
    // Through the compressing sink: zstd -d gives the same file.
    let z = dir + "/cut.bin.zst"
    let zq = try run(["query", "--format", "binlog", "-o", z] + window + [zst])
    XCTAssertEqual(zq.status, 0, zq.stderr)
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") {
      let back = try runTool("/usr/bin/zstd", ["-dc", z])
      XCTAssertEqual(back.status, 0, back.stderr)
      XCTAssertEqual(back.stdout, fromPlain.stdout)
    }
  }

  func testBinlogCutWithNothingMatchingIsStillABinlog() throws {
    let out = try temporaryDirectory() + "/empty.bin"
    let q = try run(["query", "--format", "binlog", "-o", out, "--table", "no.such_table", Self.fixture])
    XCTAssertEqual(q.status, 0, q.stderr)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
    XCTAssertEqual(Array(bytes.prefix(4)), [0xFE, 0x62, 0x69, 0x6E])
    XCTAssertGreaterThan(bytes.count, 4 + 19, "magic and the Format_description")
    let r = try runTool(try mariadbBinlog(), [out])
    XCTAssertEqual(r.status, 0, r.stderr)
  }

  func testBinlogCutNeverWritesOverAnInput() throws {
    let dir = try temporaryDirectory()
    let input = dir + "/binlog.000001"
    try FileManager.default.copyItem(atPath: Self.fixture, toPath: input)
    let before = try Data(contentsOf: URL(fileURLWithPath: input))
    let r = try run(["query", "--format", "binlog", "-o", input, input])
    XCTAssertEqual(r.status, 3, r.stderr)
    XCTAssertTrue(r.stderr.contains("refusing to write output over an input"), r.stderr)
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), before)
  }
}
