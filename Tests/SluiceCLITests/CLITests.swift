import Foundation
import SluiceTestSupport
import XCTest

/// The `sluice` binary as scripts use it: exit codes, one-line errors naming file, offset and
/// event type, `--skip-errors`, JSON outputs that parse, stdin, and never writing over inputs.
final class CLITests: SluiceTestCase {
  /// A copy of the fixture with one byte flipped inside the event at `eventOffset`.
  func corruptedCopy(flipping at: Int) throws -> String {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
    bytes[at] ^= 0xFF
    let path = try temporaryDirectory() + "/binlog.000001"
    try bytes.write(to: URL(fileURLWithPath: path))
    return path
  }

  func testExitCodesForMissingGarbageTruncatedAndBadOptions() throws {
    let dir = try temporaryDirectory()
    let missing = try run(["info", dir + "/nope.000001"])
    XCTAssertEqual(missing.status, 3, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("nope.000001") && missing.stderr.contains("cannot open"), missing.stderr)

    let garbage = dir + "/garbage"
    try Data("not a binlog at all\n".utf8).write(to: URL(fileURLWithPath: garbage))
    let g = try run(["events", garbage])
    XCTAssertEqual(g.status, 2)
    XCTAssertTrue(g.stderr.contains("garbage: at offset 0") && g.stderr.contains("bad magic"), g.stderr)

    let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
    let truncated = dir + "/truncated.000001"
    try whole.prefix(1000).write(to: URL(fileURLWithPath: truncated))
    let t = try run(["events", truncated])
    XCTAssertEqual(t.status, 2)
    // One line: file, offset, event type, what was expected.
    let line = t.stderr.split(separator: "\n").first.map(String.init) ?? ""
    XCTAssertEqual(t.stderr.split(separator: "\n").count, 1, t.stderr)
    XCTAssertTrue(line.hasPrefix("sluice: \(truncated): at offset 963 (Query)"), line)
    XCTAssertTrue(line.contains("truncated"), line)
    // Everything before the damage was still written.
    XCTAssertGreaterThan(t.lines.count, 3)

    let bad = try run(["events", "--no-such-option", Self.fixture])
    XCTAssertEqual(bad.status, 64, bad.stderr)
    let badFormat = try run(["export", "--format", "yaml", Self.fixture])
    XCTAssertEqual(badFormat.status, 64, badFormat.stderr)
    XCTAssertEqual(try run(["info", Self.fixture]).status, 0)
  }

  /// The parse skips ArgumentParser's completion-script search unless the command line asks
  /// for one: the scripts, help, usage errors and the version still come out as before.
  func testCompletionScriptsHelpAndUsageAfterTheFastParse() throws {
    let bash = try run(["--generate-completion-script", "bash"])
    XCTAssertEqual(bash.status, 0, bash.stderr)
    XCTAssertTrue(bash.text.contains("_sluice() {") && bash.text.contains("-F _sluice sluice"), bash.text)
    XCTAssertTrue(bash.text.contains("--start-datetime"), "subcommand options are completed")
    let zsh = try run(["--generate-completion-script=zsh"])
    XCTAssertEqual(zsh.status, 0, zsh.stderr)
    XCTAssertTrue(zsh.text.hasPrefix("#compdef sluice"), zsh.text)
    let help = try run(["query", "--help"])
    XCTAssertEqual(help.status, 0, help.stderr)
    XCTAssertTrue(help.text.contains("USAGE: sluice query "), help.text)
    let bad = try run(["query", "--no-such-option", Self.fixture])
    XCTAssertEqual(bad.status, 64, bad.stderr)
    XCTAssertTrue(bad.stderr.contains("Usage: sluice query "), bad.stderr)
    XCTAssertTrue(bad.stderr.contains("See 'sluice query --help' for more information."), bad.stderr)
    let helpCommand = try run(["help", "report"])
    XCTAssertEqual(helpCommand.status, 0, helpCommand.stderr)
    XCTAssertTrue(helpCommand.text.contains("USAGE: sluice report "), helpCommand.text)
    let version = try run(["--version"])
    XCTAssertEqual(version.status, 0)
    XCTAssertEqual(version.text, "0.1.0\n")
  }

  func testChecksumMismatchStopsUnlessSkipErrorsThenExitsTwo() throws {
    // Offset 5000 lies inside the Gtid_mariadb event at 4975.
    let bad = try corruptedCopy(flipping: 5000)
    let clean = try run(["events", Self.fixture])
    XCTAssertEqual(clean.status, 0)

    let stop = try run(["events", bad])
    XCTAssertEqual(stop.status, 2)
    XCTAssertTrue(stop.stderr.contains("at offset 4975 (Gtid_mariadb): CRC32 mismatch"), stop.stderr)
    XCTAssertLessThan(stop.lines.count, clean.lines.count / 2)

    let skip = try run(["events", "--skip-errors", bad])
    XCTAssertEqual(skip.status, 2, "a skipped event still makes the exit code 2")
    XCTAssertTrue(skip.stderr.contains("skipped:") && skip.stderr.contains("4975"), skip.stderr)
    XCTAssertEqual(skip.lines.count, clean.lines.count - 1, "every event but the corrupt one")
    XCTAssertFalse(skip.text.contains("\n4975 "))

    let noVerify = try run(["events", "--no-verify-checksum", bad])
    XCTAssertEqual(noVerify.status, 0, noVerify.stderr)
    XCTAssertEqual(noVerify.lines.count, clean.lines.count)
  }

  func testInfoStatsAndEventsJSONParse() throws {
    let info = try run(["info", "--format", "json", Self.fixture])
    XCTAssertEqual(info.status, 0)
    let obj = try XCTUnwrap((try JSONSerialization.jsonObject(with: info.stdout) as? [[String: Any]])?.first)
    XCTAssertEqual(obj["checksum"] as? String, "CRC32")
    XCTAssertEqual(obj["checksums_ok"] as? Bool, true)
    XCTAssertEqual(obj["flavor"] as? String, "MariaDB")
    let events = try run(["events", Self.fixture])
    XCTAssertEqual(obj["checksums_verified"] as? Int, events.lines.count)

    let stats = try run(["stats", "--format", "json", Self.fixtureDir])
    XCTAssertEqual(stats.status, 0, stats.stderr)
    XCTAssertNotNil(try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any])

    let nd = try run(["events", "--format", "ndjson", Self.fixture])
    XCTAssertEqual(nd.lines.count, events.lines.count)
    for line in nd.lines {
      XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), String(line))
    }
  }

  func testStdinReadsLikeTheFile() throws {
    let file = try run(["export", "--format", "ndjson", Self.fixture])
    let piped = try run(["export", "--format", "ndjson", "-"], stdin: Self.fixture)
    XCTAssertEqual(piped.status, 0, piped.stderr)
    // The file name field says "-" for stdin; everything else is identical, xids included (the
    // stream is read ahead to each transaction's commit).
    func normalized(_ text: String, file: String) -> [String] {
      text.split(separator: "\n").map { $0.replacingOccurrences(of: "\"file\":\"\(file)\"", with: "\"file\":\"F\"") }
    }
    XCTAssertEqual(normalized(piped.text, file: "-"), normalized(file.text, file: "binlog.000001"))
    XCTAssertEqual(piped.lines.count, file.lines.count)
  }

  func testNamedPipeReadsLikeTheFile() throws {
    let fifo = try temporaryDirectory() + "/binlog.000001"
    XCTAssertEqual(mkfifo(fifo, 0o600), 0)
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/bin/sh")
    writer.arguments = ["-c", "cat \"$0\" > \"$1\"", Self.fixture, fifo]
    try writer.run()
    let piped = try run(["events", fifo])
    writer.waitUntilExit()
    XCTAssertEqual(piped.status, 0, piped.stderr)
    XCTAssertEqual(piped.text, try run(["events", Self.fixture]).text)

    XCTAssertEqual(mkfifo(fifo + "x", 0o600), 0)
    let writer2 = Process()
    writer2.executableURL = URL(fileURLWithPath: "/bin/sh")
    writer2.arguments = ["-c", "cat \"$0\" > \"$1\"", Self.fixture, fifo + "x"]
    try writer2.run()
    let exported = try run(["export", fifo + "x"])
    writer2.waitUntilExit()
    XCTAssertEqual(exported.status, 0, exported.stderr)
    XCTAssertEqual(exported.lines.count, try run(["export", Self.fixture]).lines.count)
  }

  func testNeverWritesOverAnInput() throws {
    let dir = try temporaryDirectory()
    let copy = dir + "/binlog.000001"
    try FileManager.default.copyItem(atPath: Self.fixture, toPath: copy)
    let before = try Data(contentsOf: URL(fileURLWithPath: copy))
    let r = try run(["export", "-o", copy, copy])
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("refusing"), r.stderr)
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), before)
  }

  func testQueryTextAndNDJSONAgreeOnTransactions() throws {
    let text = try run(["query", "--no-index", "--type", "delete", Self.fixtureDir])
    XCTAssertEqual(text.status, 0, text.stderr)
    let nd = try run(["query", "--no-index", "--type", "delete", "--rows", "--format", "ndjson", Self.fixtureDir])
    XCTAssertEqual(nd.status, 0, nd.stderr)
    XCTAssertGreaterThan(nd.lines.count, 0)
    for line in nd.lines {
      let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      XCTAssertEqual(o["type"] as? String, "delete")
    }
    XCTAssertFalse(text.text.isEmpty)
  }

  /// `index --index-dir DIR` creates DIR when it is missing; a DIR that cannot be created is an
  /// I/O error that names it.
  func testIndexCreatesAMissingIndexDir() throws {
    let parent = try temporaryDirectory()
    let indexDir = parent + "/new"
    let r = try run(["index", "--index-dir", indexDir, Self.packageRoot + "/Fixtures/mariadb-10.11/binlog.000002"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: indexDir + "/binlog.000002.sidx"))
    let bad = try run(["index", "--index-dir", parent + "/no/such", Self.packageRoot + "/Fixtures/mariadb-10.11/binlog.000002"])
    XCTAssertEqual(bad.status, 3)
    XCTAssertTrue(bad.stderr.contains("cannot create --index-dir"), bad.stderr)
  }

  /// A query that starts in the middle of a MINIMAL-metadata archive names columns as export
  /// does: the DDL before the start comes from the indexes' stored statements.
  func testQueryMidArchiveKnowsTheSchemaThere() throws {
    let dir = Self.packageRoot + "/Fixtures/mariadb-10.11-minimal"
    let indexDir = try temporaryDirectory()
    XCTAssertEqual(try run(["index", "--index-dir", indexDir, dir]).status, 0)
    let export = try run(["export", "--format", "ndjson", dir])
    XCTAssertEqual(export.status, 0, export.stderr)
    let later = export.lines.filter { !$0.hasPrefix("{\"file\":\"binlog.000001\"") && $0.contains("\"table\":") }
    XCTAssertGreaterThan(later.count, 10)
    XCTAssertFalse(later.contains { $0.contains("\"positional\":true") }, "export names every row")
    for args in [["--index-dir", indexDir], ["--no-index"]] {
      let q = try run(
        ["query", "--format", "ndjson", "--rows", "--type", "insert,update,delete", "--start-position", "binlog.000002:4"]
          + args + [dir])
      XCTAssertEqual(q.status, 0, q.stderr)
      XCTAssertEqual(q.lines, later, "query \(args) from binlog.000002")
    }
    let positional = try run([
      "query", "--format", "ndjson", "--no-schema", "--start-position", "binlog.000002:4", "--index-dir", indexDir, dir,
    ])
    XCTAssertTrue(positional.text.contains("\"positional\":true"))
  }

  /// A narrow query on an indexed seekable archive decompresses only the frames it needs.
  func testQueryOnAnArchiveDecompressesFewFrames() throws {
    let dir = try temporaryDirectory()
    let a = try run(["archive", "--frame-size", "16K", "-o", dir, Self.fixture])
    XCTAssertEqual(a.status, 0, a.stderr)
    let zst = dir + "/binlog.000001.zst"
    XCTAssertEqual(try run(["index", zst]).status, 0)
    let q = try run(["query", "--stats", "--format", "ndjson", "--include-gtids", "0-1-17", zst])
    XCTAssertEqual(q.status, 0, q.stderr)
    XCTAssertEqual(q.lines, try run(["query", "--format", "ndjson", "--include-gtids", "0-1-17", Self.fixture]).lines)
    let m = q.stderr.firstMatch(of: /decompressed (\d+) of the (\d+) zstd frames/)
    let used = Int(m?.1 ?? "") ?? -1
    let total = Int(m?.2 ?? "") ?? -1
    XCTAssertGreaterThan(total, 5, q.stderr)
    XCTAssertTrue((1...2).contains(used), q.stderr)
  }

  func testServeRejectsGTIDStartOnEntryDumps() throws {
    let dir = try temporaryDirectory()
    let dump = dir + "/all.canal"
    let export = try run(["export", "--format", "canal", "-o", dump, Self.fixture])
    XCTAssertEqual(export.status, 0, export.stderr)
    let r = try run(["serve", "--port", "0", "--include-gtids", "0-1-1..5", dump])
    XCTAssertEqual(r.status, 64, r.stderr)
    XCTAssertTrue(r.stderr.contains("need binlog inputs"), r.stderr)
    let badStart = try run(["serve", "--port", "0", "--start-position", "x:y", Self.fixture])
    XCTAssertEqual(badStart.status, 64, badStart.stderr)
  }

  func testServeReadAheadTakesAByteCount() throws {
    for bad in ["1.5M", "lots", "2T"] {
      let r = try run(["serve", "--port", "0", "--read-ahead", bad, Self.fixture])
      XCTAssertEqual(r.status, 64, "\(bad): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("--read-ahead: give a byte count"), r.stderr)
    }
    let help = try run(["serve", "--help"])
    XCTAssertTrue(help.text.contains("--read-ahead <size>"), help.text)
  }
}
