import Foundation
import SluiceTestSupport
import XCTest

/// The incident workflow (issue 18): one filter set for `query` and `export`, every format from
/// both, times read as Sluice prints them, no silent empties, `info` that tells the truth.
extension CLITests {
  static let window = ["--start-datetime", "2024-03-01T01:00:00Z", "--stop-datetime", "2024-03-01 03:00:00"]

  /// SQL without its `-- FILE:OFFSET` transaction comments (a cut has other offsets).
  func withoutPositions(_ r: Run) -> [Substring] {
    r.lines.filter { !($0.hasPrefix("-- ") && $0.contains(":") && $0.contains("GTID")) }
  }

  func testQueryFlashbackOfAWindowUndoesExactlyItsTransactions() throws {
    let q = try run(
      ["query", "--table", "sluice_shop.orders"] + Self.window + ["--format", "sql", "--flashback", Self.fixtureDir])
    XCTAssertEqual(q.status, 0, q.stderr)
    // The transactions: those of the window that touch the table, newest first.
    let gtids = q.lines.compactMap { l -> String? in
      guard l.hasPrefix("-- binlog."), let r = l.range(of: " GTID ") else { return nil }
      return String(l[r.upperBound...])
    }
    XCTAssertEqual(
      gtids, ["0-1-87", "0-1-85", "0-1-84", "0-1-83", "0-1-79", "0-1-78", "0-1-77", "0-1-74", "0-1-73", "0-1-72", "0-1-69"])
    // Every row change of those transactions, from the unfiltered NDJSON export, is undone once.
    let all = try run(["export", "--format", "ndjson", "--threads", "1", Self.fixtureDir])
    var want: [String: Int] = [:]
    for line in all.lines {
      let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      guard let g = o["gtid"] as? String, gtids.contains(g), let t = o["type"] as? String, t != "ddl", t != "query" else {
        continue
      }
      // Undo: an insert is deleted, a delete inserted, an update updated back.
      let undo = ["insert": "DELETE", "delete": "INSERT", "update": "UPDATE"][t]!
      want["\(undo) `\(o["db"]!)`.`\(o["table"]!)`", default: 0] += 1
    }
    var got: [String: Int] = [:]
    for l in q.lines where l.hasPrefix("INSERT INTO ") || l.hasPrefix("UPDATE ") || l.hasPrefix("DELETE FROM ") {
      let verb = l.hasPrefix("INSERT") ? "INSERT" : l.hasPrefix("UPDATE") ? "UPDATE" : "DELETE"
      let rest = l.dropFirst(verb == "UPDATE" ? 7 : 12)
      let table = rest.prefix { $0 != " " }
      got["\(verb) \(table)", default: 0] += 1
    }
    XCTAssertEqual(got, want)
    XCTAssertEqual(got["DELETE `sluice_shop`.`orders`"], 4)

    // The same as the flashback of a binlog cut of the same transactions.
    let cut = try temporaryDirectory() + "/window.bin"
    let c = try run(
      ["query", "--table", "sluice_shop.orders"] + Self.window + ["--format", "binlog", "-o", cut, Self.fixtureDir])
    XCTAssertEqual(c.status, 0, c.stderr)
    let fromCut = try run(["export", "--format", "sql", "--flashback", cut])
    XCTAssertEqual(fromCut.status, 0, fromCut.stderr)
    XCTAssertEqual(withoutPositions(fromCut), withoutPositions(q))
  }

  func testExportTakesQueryFiltersWithTheSameMeaning() throws {
    let filters: [[String]] = [
      ["--table", "sluice_shop.orders"] + Self.window,
      ["-d", "sluice_misc", "--type", "delete"],
      ["--include-gtids", "0-1-78,0-1-80..85"],
      ["--exclude-gtids", "0-1-1..170", "--start-position", "binlog.000001:4"],
      ["--pk", "id=3", "--table", "sluice_shop.orders", "--rows"],
      ["--start-position", "binlog.000001:148368", "--stop-position", "binlog.000001:160338"],
    ]
    for f in filters {
      for format in [
        ["--format", "ndjson"], ["--format", "sql"], ["--format", "sql", "--flashback"], ["--format", "canal-json"],
      ] {
        if format.contains("canal-json") && f.contains("--pk") && f.contains("--rows") { continue }
        let q = try run(["query"] + f + format + [Self.fixtureDir])
        let e = try run(["export"] + f + format + [Self.fixtureDir])
        XCTAssertEqual(q.status, 0, "\(f) \(format): \(q.stderr)")
        XCTAssertEqual(e.status, q.status, "\(f) \(format): \(e.stderr)")
        XCTAssertEqual(e.text, q.text, "\(f) \(format)")
        XCTAssertFalse(q.text.isEmpty, "\(f) \(format)")
      }
    }
    // -d and --database are one option; --rows keeps only the matching rows.
    let rows = try run(
      ["export", "--format", "ndjson", "--rows", "--table", "sluice_shop.orders"] + Self.window + [Self.fixtureDir])
    XCTAssertEqual(rows.status, 0, rows.stderr)
    // 4 inserts, 12 updates, 1 delete, and the 4 statements naming the table (CREATE TABLE, two
    // triggers, a procedure).
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"insert\"") }.count, 4)
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"update\"") }.count, 12)
    XCTAssertEqual(rows.lines.filter { $0.contains("\"type\":\"delete\"") }.count, 1)
    XCTAssertEqual(rows.lines.count, 21)
    for l in rows.lines { XCTAssertTrue(l.contains("\"table\":\"orders\"") || l.contains("\"type\":\"ddl\""), String(l)) }
  }

  func testQueryWritesEveryFormatExportWrites() throws {
    // Without filters, query's output in each format is export's.
    for format in ["ndjson", "canal", "canal-json", "sql"] {
      let q = try run(["query", "--format", format, Self.fixtureDir])
      let e = try run(["export", "--format", format, "--threads", "1", Self.fixtureDir])
      XCTAssertEqual(q.status, 0, "\(format): \(q.stderr)")
      XCTAssertEqual(e.status, 0, "\(format): \(e.stderr)")
      XCTAssertEqual(q.stdout, e.stdout, format)
    }
    let help = try run(["export", "--help"])
    XCTAssertTrue(help.text.contains("SQL"), help.text)
    XCTAssertTrue(help.text.contains("--start-datetime") && help.text.contains("--pk"), help.text)
  }
}

/// Times in and out agree; `schema --at TIME` is the schema as of the last event at or before it.
extension CLITests {
  func testTimeOptionsReadWhatSluicePrints() throws {
    let base = ["query", "--table", "sluice_shop.orders", "--stop-datetime", "2024-03-01T02:30:00Z"]
    let reference = try run(base + ["--start-datetime", "2024-03-01 01:20:00", Self.fixtureDir])
    XCTAssertEqual(reference.status, 0, reference.stderr)
    func headers(_ r: Run) -> [Substring] { r.lines.filter { $0.hasPrefix("# ") } }
    XCTAssertEqual(headers(reference).count, 4)
    for start in [
      ["--start-datetime", "2024-03-01T01:20:00Z"], ["--start-datetime", "2024-03-01T03:20:00+02:00"],
      ["--start-datetime", "@1709256000"], ["--start-datetime", "2024-03-01 01:19:59.5"],
      ["--start-datetime", "2024-03-01 09:20:00", "--timezone", "Asia/Shanghai"],
    ] {
      let r = try run(base + start + [Self.fixtureDir])
      XCTAssertEqual(r.status, 0, "\(start): \(r.stderr)")
      XCTAssertEqual(headers(r), headers(reference), "\(start)")
    }
    // Refused with the reason and the usage exit code, by every command that takes a time.
    for args in [
      ["query", "--start-datetime", "2024-02-30"], ["export", "--stop-datetime", "2024-03-01 25:00"],
      ["report", "--format", "json", "--start-datetime", "2024-02-30 00:00"], ["schema", "--at", "2024-02-30"],
    ] {
      let r = try run(args + [Self.fixtureDir])
      XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("has 29 days") || r.stderr.contains("hour 25 is past 23"), "\(args): \(r.stderr)")
    }
  }

  /// CRC32 (IEEE), as binlog event checksums are computed.
  func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      c ^= UInt32(b)
      for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return ~c
  }

  func testSchemaAtATimeIsAsOfTheLastEventAtOrBeforeIt() throws {
    let dir = try temporaryDirectory()
    for n in 1...3 {
      try FileManager.default.copyItem(atPath: Self.fixtureDir + "/binlog.00000\(n)", toPath: dir + "/binlog.00000\(n)")
    }
    let at = ["--at", "2024-03-01T01:10:00Z"]
    let original = try run(["schema"] + at + [dir])
    XCTAssertEqual(original.status, 0, original.stderr)
    XCTAssertTrue(original.text.contains("CREATE TABLE `orders`"), original.text)
    XCTAssertFalse(original.text.contains("sluice_bulk"), "a table created after the time is in the schema")
    // The CREATE TABLE orders event (binlog.000001 at 144766, 403 bytes) stamped with a wall
    // clock two years ahead, its CRC32 computed again.
    let path = dir + "/binlog.000001"
    var b = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let start = 144766
    let end = 145169
    withUnsafeBytes(of: UInt32(1_772_323_200).littleEndian) { b.replaceSubrange(start..<start + 4, with: $0) }
    withUnsafeBytes(of: crc32(b[start..<end - 4]).littleEndian) { b.replaceSubrange(end - 4..<end, with: $0) }
    try Data(b).write(to: URL(fileURLWithPath: path))
    let events = try run(["events", "--start-position", "144766", path])
    XCTAssertTrue(
      events.lines.first?.contains("2026-03-01T00:00:00Z") == true, events.lines.first.map(String.init) ?? events.stderr)
    let skewed = try run(["schema"] + at + [dir])
    XCTAssertEqual(skewed.status, 0, skewed.stderr)
    // The statements before the last event at or before the time are all applied.
    XCTAssertEqual(skewed.lines.dropFirst(), original.lines.dropFirst())
    XCTAssertTrue(skewed.lines.first?.contains("as of binlog.000001:") == true, skewed.text)
    // Before every event: nothing.
    let early = try run(["schema", "--at", "2020-01-01", dir])
    XCTAssertEqual(early.status, 0, early.stderr)
    XCTAssertFalse(early.text.contains("CREATE TABLE"), early.text)
  }
}

/// No silent empties: a filter that cannot match, or inputs without a binlog, say so in one
/// sentence and exit 5.
extension CLITests {
  func testFiltersThatCannotMatchWarnAndExit5() throws {
    let cases: [([String], String)] = [
      (
        ["query", "--pk", "nosuch=1", "--table", "sluice_shop.orders", Self.fixtureDir],
        "--pk nosuch=1 cannot match in sluice_shop.orders: the table has no column nosuch (it has 6 columns)"
      ),
      (
        ["export", "--format", "sql", "--pk", "id='abc'", "--table", "sluice_shop.orders", Self.fixtureDir],
        "--pk id=abc cannot match in sluice_shop.orders: column id holds numbers and 'abc' is not one"
      ),
      (
        [
          "query", "--no-schema", "--pk", "id=1", "--table", "sluice_shop.orders",
          Self.packageRoot + "/Fixtures/mariadb-10.11-minimal",
        ],
        "--pk id=1 cannot match in sluice_shop.orders: the binlog has no column names there (give --schema, or name the column @N)"
      ),
    ]
    for (args, warning) in cases {
      let r = try run(args)
      XCTAssertEqual(r.status, 5, "\(args): \(r.stderr)")
      XCTAssertEqual(r.stderr, "sluice: warning: \(warning)\n", "\(args)")
      XCTAssertTrue(r.text.isEmpty || r.text.hasPrefix("-- sluice replay SQL"), r.text)
    }
    // A quoted value of the right type matches, as the bare value does.
    let quoted = try run(["query", "--pk", "id='3'", "--table", "sluice_shop.orders", Self.fixtureDir])
    let bare = try run(["query", "--pk", "id=3", "--table", "sluice_shop.orders", Self.fixtureDir])
    XCTAssertEqual(quoted.status, 0, quoted.stderr)
    XCTAssertEqual(quoted.text, bare.text)
    XCTAssertEqual(quoted.lines.filter { $0.hasPrefix("# ") }.count, 3)
    // A key that is simply absent is an empty answer, not an error.
    let absent = try run(["query", "--pk", "id=999", "--table", "sluice_shop.orders", Self.fixtureDir])
    XCTAssertEqual(absent.status, 0, absent.stderr)
    XCTAssertEqual(absent.text, "")
    XCTAssertEqual(absent.stderr, "")
  }

  func testInputsWithoutBinlogsWarnAndExit5() throws {
    let empty = try temporaryDirectory()
    let junk = try temporaryDirectory()
    try Data("not a binlog\n".utf8).write(to: URL(fileURLWithPath: junk + "/notes.txt"))
    for dir in [empty, junk] {
      for command in [["export"], ["query"], ["info"], ["stats"], ["report", "--format", "json"]] {
        let r = try run(command + [dir])
        XCTAssertEqual(r.status, 5, "\(command) \(dir): \(r.stderr)")
        XCTAssertEqual(r.stderr, "sluice: warning: \(dir) holds no binlog files (none starts with the binlog magic bytes)\n")
        XCTAssertEqual(r.text, "")
      }
    }
  }
}

/// `info` tells the truth: sizes of streams, the data's times apart from the file's own, and
/// one JSON shape.
extension CLITests {
  func infoJSON(_ args: [String], stdin: String? = nil) throws -> [[String: Any]] {
    let r = try run(["info", "--format", "json"] + args, stdin: stdin)
    XCTAssertEqual(r.status, 0, r.stderr)
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]], r.text)
  }

  func testInfoSizesTimesAndJSONShape() throws {
    let third = Self.fixtureDir + "/binlog.000003"
    let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: third)[.size] as? Int)
    // One file is an array of one, like three.
    let plain = try XCTUnwrap(try infoJSON([third]).first)
    XCTAssertEqual(try infoJSON([Self.fixtureDir]).count, 3)
    XCTAssertEqual(plain["size"] as? Int, size)
    // The data's first and last times; the Format_description and Stop times apart.
    XCTAssertEqual(plain["first_time"] as? String, "2024-03-01T05:00:00Z")
    XCTAssertEqual(plain["last_time"] as? String, "2024-03-01T07:30:00Z")
    XCTAssertEqual(plain["format_description_time"] as? String, "2024-03-01T03:50:00Z")
    let stop = try XCTUnwrap(plain["stop_time"] as? String)
    XCTAssertGreaterThan(stop, "2026")  // the recording's shutdown, not the workload's clock
    XCTAssertEqual(try infoJSON([Self.fixtureDir + "/binlog.000001"]).first?["stop_time"] as? NSNull, NSNull())
    // Standard input and gzip: the bytes read.
    let fromStdin = try XCTUnwrap(try infoJSON(["-"], stdin: third).first)
    XCTAssertEqual(fromStdin["size"] as? Int, size)
    let gz = try temporaryDirectory() + "/binlog.000003.gz"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -c '\(third)' > '\(gz)'"]
    try p.run()
    p.waitUntilExit()
    let fromGzip = try XCTUnwrap(try infoJSON([gz]).first)
    XCTAssertEqual(fromGzip["size"] as? Int, size)
    for key in ["first_time", "last_time", "format_description_time", "stop_time", "events", "transactions"] {
      XCTAssertEqual("\(fromGzip[key]!)", "\(plain[key]!)", key)
      XCTAssertEqual("\(fromStdin[key]!)", "\(plain[key]!)", key)
    }
    let text = try run(["info", third])
    XCTAssertTrue(text.text.contains("first event:     2024-03-01T05:00:00Z\n"), text.text)
    XCTAssertTrue(text.text.contains("file opened:     2024-03-01T03:50:00Z (Format_description)\n"), text.text)
    XCTAssertTrue(text.text.contains("server stopped:  \(stop) (Stop)\n"), text.text)
  }
}

/// Warnings are sentences; `stats` lists DDL with its text.
extension CLITests {
  func testSchemaWarningsAreSentencesNotSwiftDebugText() throws {
    // Alone, binlog.000003 alters a table created in binlog.000001.
    let r = try run(["export", "--format", "ndjson", Self.fixtureDir + "/binlog.000003"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertFalse(r.stderr.contains("problems(") || r.stderr.contains("unsupported(") || r.stderr.contains("[\""), r.stderr)
    XCTAssertTrue(
      r.stderr.contains(
        "sluice: warning: binlog.000003:3506: schema statement names what the schema does not have (ALTER TABLE `sluice_misc`.`tx_inno`: the table is not known): columns there may keep the binlog's types and @N names\n"
      ), r.stderr)
    for line in r.stderr.split(separator: "\n") { XCTAssertTrue(line.hasPrefix("sluice: "), String(line)) }
  }

  func testStatsListsDDLWithItsStatementText() throws {
    let ndjson = try run(["export", "--format", "ndjson", Self.fixtureDir])
    let ddl = ndjson.lines.filter { $0.contains("\"type\":\"ddl\"") }
    XCTAssertGreaterThan(ddl.count, 20)
    let json = try run(["stats", "--format", "json", Self.fixtureDir])
    XCTAssertEqual(json.status, 0, json.stderr)
    let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
    let statements = try XCTUnwrap(o["ddl_statements"] as? [[String: Any]])
    XCTAssertEqual(statements.count, ddl.count)
    let orders = try XCTUnwrap(statements.first { ($0["sql"] as? String)?.hasPrefix("CREATE TABLE orders") == true })
    XCTAssertEqual(orders["file"] as? String, "binlog.000001")
    XCTAssertEqual(orders["offset"] as? Int, 144766)
    XCTAssertEqual(orders["db"] as? String, "sluice_shop")
    XCTAssertEqual(orders["time"] as? String, "2024-03-01T01:00:00Z")
    let text = try run(["stats", Self.fixtureDir])
    XCTAssertTrue(
      text.text.contains("  2024-03-01T01:00:00Z  binlog.000001:144766  sluice_shop: CREATE TABLE orders ( id BIGINT UNSIGNED"),
      text.text)
  }
}

/// Flashback of a file without column names whose tables were created in earlier files.
extension CLITests {
  func testFlashbackOfALaterMinimalFileTakesNamesFromTheEarlierFiles() throws {
    let minimal = Self.packageRoot + "/Fixtures/mariadb-10.11-minimal"
    let third = minimal + "/binlog.000003"
    // Alone and without names, its updates and deletes cannot be written.
    let alone = try run(["export", "--format", "sql", "--flashback", "--no-schema", third])
    XCTAssertEqual(alone.status, 2, alone.stderr)
    XCTAssertTrue(alone.stderr.contains("could not be written as SQL"), alone.stderr)
    for command in [["export"], ["query"]] {
      let r = try run(command + ["--format", "sql", "--flashback", third])
      XCTAssertEqual(r.status, 0, "\(command): \(r.stderr)")
      XCTAssertTrue(
        r.stderr.hasPrefix(
          "sluice: note: column names from the DDL of 2 earlier binlogs in \(minimal) (binlog.000001, binlog.000002)"),
        "\(command): \(r.stderr)")
      XCTAssertFalse(r.text.contains("-- row skipped"), "\(command)")
      // The same SQL as the flashback of those transactions read from the whole directory.
      let whole = try run(["query", "--format", "sql", "--flashback", "--start-position", "binlog.000003:4", minimal])
      XCTAssertEqual(whole.status, 0, whole.stderr)
      XCTAssertEqual(r.text, whole.text, "\(command)")
      XCTAssertEqual(r.lines.filter { $0.hasPrefix("DELETE FROM `") }.count, 4, "\(command)")
      // Every row skipped alone (undoing an insert or an update needs the key's name) is written.
      let skipped = alone.lines.filter { $0.hasPrefix("-- row skipped") }.count
      XCTAssertGreaterThan(skipped, 0)
      XCTAssertEqual(r.lines.filter { $0.hasPrefix("DELETE FROM `") || $0.hasPrefix("UPDATE `") }.count, skipped, "\(command)")
    }
    // A file that names its columns needs nothing.
    let full = try run(["export", "--format", "sql", "--flashback", Self.fixtureDir + "/binlog.000003"])
    XCTAssertEqual(full.status, 0, full.stderr)
    XCTAssertFalse(full.stderr.contains("note: column names"), full.stderr)
  }
}

/// Flashback of statement-logged changes: the binlog holds the statement, not the rows, so
/// there is nothing exact to undo; said on stderr with exit code 2, not a silent exit 0.
extension CLITests {
  func testFlashbackOfStatementLoggedChangesSaysWhatItCannotUndo() throws {
    let file = Self.packageRoot + "/Fixtures/mariadb-10.11-statement/binlog.000001"
    for command in [["export"], ["query"]] {
      let r = try run(command + ["--format", "sql", "--flashback", file])
      XCTAssertEqual(r.status, 2, "\(command): \(r.stderr)")
      XCTAssertTrue(
        r.stderr.contains(
          "warning: 144 statement-logged change(s) could not be undone: the binlog holds the statement, not the rows it changed"
            + " (marked \"-- not undone\" in the output, the first at \(file): at offset 1136)"),
        "\(command): \(r.stderr)")
      // The row-logged inserts are undone, newest first.
      XCTAssertTrue(r.text.contains("-- not undone: REPLACE INTO s VALUES (2, 'statement 72')"), r.text)
      XCTAssertEqual(r.text.components(separatedBy: "DELETE FROM `sluice_empty`.`t`").count - 1, 72, "\(command)")
    }
    // Replayed forwards, statements are written as they are: exit 0.
    let forward = try run(["export", "--format", "sql", file])
    XCTAssertEqual(forward.status, 0, forward.stderr)
  }
}
