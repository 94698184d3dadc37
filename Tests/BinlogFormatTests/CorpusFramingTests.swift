import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

/// Every real binlog in ../shared/corpus and every fixture is framed and decoded; the broken
/// ones fail with a clear error at the right place; offsets match mariadb-binlog.
final class CorpusFramingTests: XCTestCase {
  func testEveryCorpusFileDecodesExceptTheBrokenOnes() throws {
    let rows = try TestPaths.manifest()
    XCTAssertGreaterThan(rows.count, 100)
    var checked = 0
    for row in rows {
      let rel = row["path"]!
      if rel.hasSuffix(".gz") { continue }
      let (events, error) = walkFile(try TestPaths.corpusFile(rel))
      if TestPaths.brokenCorpusFiles.contains(rel) {
        XCTAssertNotNil(error, "\(rel) is broken on purpose but read without error")
        if let error {
          XCTAssertNotNil(error.offset, "\(rel): error without offset: \(error)")
          XCTAssertTrue(
            error.description.contains(rel.split(separator: "/").last!), "\(rel): error does not name the file: \(error)")
        }
        continue
      }
      XCTAssertNil(error, "\(rel): \(error.map { "\($0)" } ?? "")")
      if let expected = Int(row["events"] ?? ""), row["mariadb_binlog_reads"] == "yes" {
        XCTAssertEqual(events.filter { !$0.inPayload }.count, expected, "\(rel): top-level event count")
      }
      checked += 1
    }
    XCTAssertGreaterThan(checked, 95)
  }

  func testBrokenFilesFailAtTheExpectedPlace() throws {
    let cases: [(String, BinlogError.Kind, UInt64?)] = [
      ("blackbeam__rust_mysql_common/binlog_truncated_event.000001", .truncated, 4),
      ("blackbeam__rust_mysql_common/binlog_truncated_prev_gtid_event.000001", .truncated, 120),
      ("blackbeam__rust_mysql_common/corrupt-relay-bin.000624", .truncated, 91204),
      ("blackbeam__rust_mysql_common/ver_5_1-wl2325_r.001", .truncated, 428),
    ]
    for (rel, kind, offset) in cases {
      let (_, error) = walkFile(try TestPaths.corpusFile(rel))
      XCTAssertEqual(error?.kind, kind, "\(rel): \(String(describing: error))")
      XCTAssertEqual(error?.offset, offset, "\(rel): \(String(describing: error))")
    }
  }

  func testZeroLengthDirectoryMissingAndGarbageInputs() throws {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bad-\(getpid())")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let empty = tmp.appendingPathComponent("empty").path
    FileManager.default.createFile(atPath: empty, contents: Data())
    let garbage = tmp.appendingPathComponent("garbage").path
    FileManager.default.createFile(atPath: garbage, contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
    let magicThenGarbage = tmp.appendingPathComponent("magic-garbage").path
    FileManager.default.createFile(
      atPath: magicThenGarbage, contents: Data([0xFE, 0x62, 0x69, 0x6E] + (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
    let cases: [(String, BinlogError.Kind)] = [
      (empty, .notABinlog), (garbage, .notABinlog), (tmp.path, .notABinlog),
      (tmp.appendingPathComponent("missing").path, .io), (magicThenGarbage, .malformed),
    ]
    for (path, kind) in cases {
      let (_, error) = walkFile(path)
      XCTAssertNotNil(error, path)
      if let error, error.kind != kind {
        // Garbage after the magic may read as a too-short or too-long event: both are clear errors.
        XCTAssertTrue([.malformed, .truncated, .notABinlog].contains(error.kind), "\(path): \(error)")
        XCTAssertEqual(kind, .malformed, "\(path): expected \(kind), got \(error)")
      }
      XCTAssertTrue(error?.description.contains(path) ?? false, "error should name the file: \(String(describing: error))")
    }
  }

  func testEveryTruncationOfARealFileGivesAnErrorNotACrash() throws {
    let src = try TestPaths.corpusFile("rust-us__mysql-cdc-rs/5.7_31_update_rows_v2_log.bin")
    let data = try Data(contentsOf: URL(fileURLWithPath: src))
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-trunc-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let (full, _) = walkFile(src)
    let boundaries = Set(full.map { Int($0.end) } + [4])
    for n in stride(from: 1, to: data.count, by: 3) {
      FileManager.default.createFile(atPath: tmp, contents: data.prefix(n))
      let (_, error) = walkFile(tmp)
      if boundaries.contains(n) {
        XCTAssertNil(error, "cut at event boundary \(n)")
      } else {
        XCTAssertNotNil(error, "truncated at \(n) must be reported")
      }
    }
  }

  func testFlippedByteIsACRC32Mismatch() throws {
    let src = try TestPaths.corpusFile("osheroff__mysql-binlog-connector-java/mysql-bin.checksum-crc32")
    var data = try Data(contentsOf: URL(fileURLWithPath: src))
    let (events, error) = walkFile(src)
    XCTAssertNil(error)
    let victim = events.first { $0.type == .writeRowsV2 }!
    let at = Int(victim.offset) + 25
    data[at] ^= 0x40
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-flip-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    FileManager.default.createFile(atPath: tmp, contents: data)
    let (_, flipped) = walkFile(tmp)
    XCTAssertEqual(flipped?.kind, .checksumMismatch)
    XCTAssertEqual(flipped?.offset, victim.offset)
    XCTAssertEqual(flipped?.eventType, victim.type)
    // With verification off the file reads (the flipped byte lands in row data).
    let (_, unchecked) = walkFile(tmp, options: ReaderOptions(verifyChecksums: false))
    XCTAssertTrue(unchecked == nil || unchecked?.kind != .checksumMismatch)
  }

  func testChecksumsVerifyIncludingFDEWithInUseFlag() throws {
    // 28 corpus files carry LOG_EVENT_BINLOG_IN_USE_F; their FDE CRC is computed with it cleared.
    let path = try TestPaths.corpusFile("alibaba__canal/tsdb_mysql-bin.000003")
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    var n = 0
    try walker.run { _, _ in n += 1 }
    XCTAssertEqual(n, 131)
    XCTAssertEqual(input.checksumsVerified, 131)
  }

  func testGzipFileReadsAsAStreamLikeItsGunzippedBytes() throws {
    let gz = try TestPaths.corpusFile("osheroff__mysql-binlog-connector-java/mysql-bin.sakila.gz")
    // BinlogInput recognizes gzip by its magic and decompresses it as a stream.
    let (fromGzip, error) = walkFile(gz)
    XCTAssertNil(error)
    XCTAssertEqual(fromGzip.count, 1462)
    // gunzip -c | stream reader: 1462 events (connector-java's test count).
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sakila-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let gunzip = try runCommand(["gunzip", "-c", gz])
    let (rc, data) = (gunzip.status, gunzip.stdout)
    XCTAssertEqual(rc, 0)
    FileManager.default.createFile(atPath: tmp, contents: data)
    // The gunzipped bytes through the stream reader stdin and pipes use.
    let stream = try ByteStreamBinlogReader(
      bytes: try DecompressedByteStream(input: .mapped(try MappedFile(path: tmp)), name: tmp), name: "-")
    var walker = BinlogWalker(source: stream)
    var count = 0
    var types: Set<EventType> = []
    try walker.run { _, ev in
      count += 1
      types.insert(ev.raw.type)
    }
    XCTAssertEqual(count, 1462)
    XCTAssertTrue(types.contains(.xid) && types.contains(.query))
    let (fromGunzip, _) = walkFile(tmp)
    XCTAssertEqual(fromGzip, fromGunzip, "the .gz file reads as the same events as its gunzipped bytes")
  }

  /// mariadb-binlog's `# at N` offsets and header types equal ours, for every corpus file it
  /// reads fully and for every fixture.
  func testOffsetsAndTypesMatchMariadbBinlog() throws {
    guard (try? runCommand(["mariadb-binlog", "--version"]))?.status == 0 else {
      throw XCTSkip("mariadb-binlog not installed (scripts/install-deps.sh installs mariadb-client)")
    }
    var files = try TestPaths.manifest().filter { $0["mariadb_binlog_reads"] == "yes" && !$0["path"]!.hasSuffix(".gz") }
      .map { TestPaths.corpus + "/" + $0["path"]! }
    files += TestPaths.fixtureFiles(setPrefix: "mariadb")
    XCTAssertGreaterThan(files.count, 80)
    for path in files {
      let decoded = try runCommand(["mariadb-binlog", path])
      let (rc2, data2) = (decoded.status, decoded.stdout)
      XCTAssertEqual(rc2, 0, "mariadb-binlog failed on \(path)")
      let text = String(decoding: data2, as: UTF8.self)
      // mariadb-binlog prints a "# at N" line per event, but may print two of them before the
      // two header lines (Annotate_rows + Table_map): pair them by order, not by adjacency.
      var offsets: [UInt64] = []
      var types: [String] = []
      for line in text.split(separator: "\n") {
        if line.hasPrefix("# at ") {
          offsets.append(UInt64(line.dropFirst(5)) ?? 0)
        } else if line.hasPrefix("#"), line.contains("server id"), let r = line.range(of: "end_log_pos") {
          var rest = line[r.upperBound...]
          rest = rest.drop(while: { $0 == " " || $0.isNumber })
          if rest.hasPrefix("CRC32") { rest = rest.dropFirst(5).drop(while: { $0 == " " }).drop(while: { !$0.isWhitespace }) }
          types.append(String(rest.drop(while: { $0.isWhitespace }).prefix(while: { !$0.isWhitespace })))
        }
      }
      XCTAssertEqual(offsets.count, types.count, "\(path): unparsable mariadb-binlog output")
      let theirs = Array(zip(offsets, types))
      let (ours, error) = walkFile(path)
      XCTAssertNil(error, "\(path): \(String(describing: error))")
      let top = ours.filter { !$0.inPayload }
      XCTAssertEqual(top.count, theirs.count, "\(path): event count")
      for (o, t) in zip(top, theirs) where o.offset != t.0 || !typeMatches(o.type, t.1) {
        XCTFail("\(path): we list \(o.type.name) at \(o.offset), mariadb-binlog lists '\(t.1)' at \(t.0)")
        break
      }
    }
  }

  func typeMatches(_ ours: EventType, _ theirs: String) -> Bool {
    switch theirs {
    case "Start:": return ours == .formatDescription || ours == .startV3
    case "Query": return ours == .query || ours == .queryCompressed
    case "Xid", "Rotate", "Stop", "Intvar", "Rand", "User_var", "Execute_load_query": return ours.name.hasPrefix(theirs)
    case "Table_map:": return ours == .tableMap
    case "XID": return ours == .xaPrepare
    case "Write_rows:", "Write_compressed_rows:": return ours.isRows && ours.rowsKind == .write
    case "Update_rows:", "Update_compressed_rows:": return ours.isRows && ours.rowsKind == .update
    case "Delete_rows:", "Delete_compressed_rows:": return ours.isRows && ours.rowsKind == .delete
    case "GTID": return ours == .mariaGTID
    case "Gtid": return ours == .mariaGTIDList
    case "Binlog": return ours == .binlogCheckpoint
    case "Annotate_rows:": return ours == .annotateRows
    case "Ignorable": return ours.rawValue >= 27 && ours.rawValue < 160 || ours.rawValue == 100
    case "":
      return [.beginLoadQuery, .appendBlock, .deleteFile, .incident, .load, .createFile, .execLoad, .newLoad].contains(ours)
    default: return ours.name.lowercased().hasPrefix(theirs.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":")))
    }
  }
}
