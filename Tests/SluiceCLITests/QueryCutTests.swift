import Foundation
import SluiceTestSupport
import XCTest

/// `query --format binlog`: the cut is a binlog that `mariadb-binlog` reads, whose rows are the
/// source's rows for the same transactions, and that Sluice exports like the source.
extension CLITests {
  func testBinlogCutIsReadLikeTheSourceTransactions() throws {
    var sources: [String] = []
    for set in ["mariadb-10.11", "mariadb-10.11-compressed", "mariadb-10.11-minimal"] {
      sources.append(Self.packageRoot + "/Fixtures/\(set)/binlog.000001")
    }
    var mariadbReads: Set<String> = Set(sources)
    let corpus = Self.packageRoot + "/../shared/corpus"
    if let manifest = try? String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8) {
      for line in manifest.split(separator: "\n").dropFirst() {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard f.count > 9, !f[0].hasSuffix(".gz") else { continue }
        sources.append(corpus + "/" + f[0])
        if f[9] == "yes" { mariadbReads.insert(corpus + "/" + f[0]) }
      }
    }
    let haveMariadbBinlog = FileManager.default.isExecutableFile(atPath: "/usr/bin/mariadb-binlog")
    let dir = try temporaryDirectory()
    var cut = 0
    var checkedByMariadb = 0
    for source in sources {
      // The transactions of the source, from the text headers ("# FILE:START-END ...").
      let all = try run(["query", "--no-index", source])
      guard all.status == 0 else { continue }
      let spans: [(UInt64, UInt64)] = all.lines.compactMap { line in
        guard line.hasPrefix("# "), let colon = line.firstIndex(of: ":") else { return nil }
        let range = line[line.index(after: colon)...].prefix { $0 != " " }.split(separator: "-")
        guard range.count == 2, let a = UInt64(range[0]), let b = UInt64(range[1]) else { return nil }
        return (a, b)
      }
      guard spans.count >= 3 else { continue }
      // The middle third, by position.
      let first = spans.count / 3
      let last = max(first, spans.count * 2 / 3 - 1)
      let window = ["--start-position", "\(spans[first].0)", "--stop-position", "\(spans[last].1)"]
      let out = dir + "/cut-\(cut).bin"
      let r = try run(["query", "--no-index", "--format", "binlog", "-o", out] + window + [source])
      XCTAssertEqual(r.status, 0, "\(source): \(r.stderr)")
      cut += 1
      let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
      XCTAssertEqual(Array(bytes.prefix(4)), [0xFE, 0x62, 0x69, 0x6E], source)

      // Sluice reads the cut as it reads those transactions of the source.
      func normalized(_ r: Run) -> [String] {
        r.text.split(separator: "\n").map {
          $0.replacingOccurrences(of: #"^\{"file":"[^"]*","pos":[0-9]+,"end":[0-9]+"#, with: "{", options: .regularExpression)
        }
      }
      // Without DDL replay: the cut does not hold the CREATE TABLEs before the window.
      let fromSource = try run(["query", "--no-index", "--no-schema", "--format", "ndjson"] + window + [source])
      let fromCut = try run(["export", "--no-schema", "--format", "ndjson", "--threads", "1", out])
      XCTAssertEqual(fromCut.status, fromSource.status, "\(source): \(fromCut.stderr)")
      XCTAssertEqual(normalized(fromCut), normalized(fromSource), "\(source): the cut exports differently")

      // mariadb-binlog reads it, with the same decoded rows as over the source's range.
      guard haveMariadbBinlog, mariadbReads.contains(source) else { continue }
      let stop = "\(spans[last].1)"
      let onCut = try runProgram("/usr/bin/mariadb-binlog", ["--base64-output=decode-rows", "-vv", out])
      let onSource = try runProgram(
        "/usr/bin/mariadb-binlog",
        ["--base64-output=decode-rows", "-vv", "--start-position=\(spans[first].0)", "--stop-position=\(stop)", source])
      XCTAssertEqual(onCut.status, 0, "\(source): mariadb-binlog on the cut: \(onCut.stderr)")
      func rows(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.hasPrefix("###") } }
      XCTAssertEqual(rows(onCut.text), rows(onSource.text), "\(source): mariadb-binlog decodes the cut differently")
      checkedByMariadb += 1
    }
    XCTAssertGreaterThan(cut, 40)
    if haveMariadbBinlog { XCTAssertGreaterThan(checkedByMariadb, 20) }
  }

  func testAnEmptyCutIsStillABinlog() throws {
    let out = try temporaryDirectory() + "/empty.bin"
    let r = try run([
      "query", "--no-index", "--format", "binlog", "--start-datetime", "2099-01-01 00:00:00", "-o", out, Self.fixture,
    ])
    XCTAssertEqual(r.status, 0, r.stderr)
    let info = try run(["events", out])
    XCTAssertEqual(info.status, 0, info.stderr)
    XCTAssertEqual(info.lines.count, 1, "only the Format_description: \(info.text)")
    XCTAssertTrue(info.text.contains("Format_desc"), info.text)
  }

  /// Binary output never goes to a terminal (`script` gives the command one).
  func testBinlogCutRefusesATerminal() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("no /usr/bin/script") }
    let command = "'\(try sluice())' query --format binlog '\(Self.fixture)'"
    let r = try runProgram("/usr/bin/script", ["-qec", command, "/dev/null"])
    XCTAssertEqual(r.status, 64, r.text)
    XCTAssertTrue(r.text.contains("use -o FILE or redirect"), r.text)
    XCTAssertFalse(r.text.contains("\u{FE}bin"), "binary bytes reached the terminal")
  }

  func testBinlogCutRefusesRowGranularity() throws {
    let r = try run(["query", "--format", "binlog", "--rows", "-o", try temporaryDirectory() + "/x.bin", Self.fixture])
    XCTAssertEqual(r.status, 64)
    XCTAssertTrue(r.stderr.contains("whole transactions"), r.stderr)
  }

  /// Runs any program (mariadb-binlog) and returns its status and output.
}

extension CLITests {
  /// A seekable archive is cut from its frames into the same bytes as the plain binlog.
  func testBinlogCutFromASeekableArchiveEqualsTheCutFromTheFile() throws {
    let dir = try temporaryDirectory()
    let archived = try run(["archive", "-o", dir, "--frame-size", "8192", Self.fixture])
    XCTAssertEqual(archived.status, 0, archived.stderr)
    let zst = dir + "/binlog.000001.zst"
    for filter in [[String](), ["--type", "delete"], ["--start-position", "20000", "--stop-position", "90000"]] {
      let plain = try run(["query", "--no-index", "--format", "binlog", "-o", dir + "/a.bin"] + filter + [Self.fixture])
      let framed = try run(["query", "--no-index", "--format", "binlog", "-o", dir + "/b.bin"] + filter + [zst])
      XCTAssertEqual(plain.status, 0, plain.stderr)
      XCTAssertEqual(framed.status, 0, framed.stderr)
      let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.bin"))
      let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.bin"))
      XCTAssertGreaterThan(a.count, 4 + 100, "\(filter): the cut is empty")
      XCTAssertEqual(a, b, "\(filter): the archive's cut differs from the file's")
    }
  }
}
