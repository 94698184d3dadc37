import BinlogFormat
import BinlogIO
import BinlogSchema
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// The multi-threaded NDJSON export writes exactly the bytes of the one-pass export.
final class ParallelExportTests: XCTestCase {
  /// One-pass export of `path` (with a DDL-replaying schema tracker, as the CLI runs it).
  func sequential(_ path: String) throws -> [UInt8] {
    let sink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: sink)
    exporter.schema = SchemaTracker()
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    try sink.close()
    return sink.takeCaptured()
  }

  func parallel(_ path: String, chunkSize: Int, threads: Int) throws -> (bytes: [UInt8], chunks: Int) {
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file, name: path)
    try reader.loadFormat()
    guard let chunks = ParallelExport.chunks(of: file, format: reader.format, chunkSize: chunkSize) else {
      XCTFail("\(path): no chunks")
      return ([], 0)
    }
    let sink = OutputSink.memory()
    try ParallelExport.run(
      file: file, name: reader.name, chunks: chunks, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: sink, threads: threads, maxBuffered: 4096,
      makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
    try sink.close()
    let bytes = sink.takeCaptured()
    // The same export with the file cut as the workers go.
    let streamed = OutputSink.memory()
    let ran = try ParallelExport.run(
      file: file, name: reader.name, format: reader.format, chunkSize: chunkSize, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: streamed, threads: threads, maxBuffered: 4096,
      makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
    try streamed.close()
    XCTAssertTrue(ran, "\(path): the cut-as-it-goes export ran")
    XCTAssertTrue(
      streamed.takeCaptured() == bytes, "\(path) chunk \(chunkSize) threads \(threads): the cut-as-it-goes export differs")
    return (bytes, chunks.count)
  }

  /// The export that cuts the file as it goes, into memory; nil when it declined (fewer than two
  /// chunks: the caller exports in one pass).
  func streamed(_ path: String, chunkSize: Int, threads: Int) throws -> [UInt8]? {
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file, name: path)
    try reader.loadFormat()
    let sink = OutputSink.memory()
    let ran = try ParallelExport.run(
      file: file, name: reader.name, format: reader.format, chunkSize: chunkSize, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: sink, threads: threads, maxBuffered: 4096,
      makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
    try sink.close()
    return ran ? sink.takeCaptured() : nil
  }

  func assertSameExport(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = try sequential(path)
    XCTAssertGreaterThan(expected.count, 1000, "\(path): too little output to compare", file: file, line: line)
    for (chunkSize, threads) in [(2048, 2), (16384, 3), (65536, 2)] {
      let (got, chunks) = try parallel(path, chunkSize: chunkSize, threads: threads)
      if got != expected {
        let at = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
        XCTFail(
          "\(path) chunk \(chunkSize) threads \(threads) (\(chunks) chunks): output differs at byte \(at) "
            + "(\(got.count) vs \(expected.count) bytes)", file: file, line: line)
      }
    }
  }

  func testParallelExportMatchesOnePassWithFullMetadata() throws {
    try assertSameExport(TestPaths.fixtures + "/mariadb-10.11/binlog.000001")
    try assertSameExport(TestPaths.fixtures + "/mariadb-10.11/binlog.000003")
  }

  /// Without FULL metadata the column names come from DDL replay: every worker's tracker must
  /// have replayed the DDL of the chunks other workers exported.
  func testParallelExportMatchesOnePassWithNamesFromDDLReplay() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11-minimal/binlog.000001"
    let expected = try sequential(path)
    XCTAssertFalse(
      String(decoding: expected, as: UTF8.self).contains("\"positional\":true"),
      "the fixture's names should come from DDL replay")
    try assertSameExport(path)
  }

  func testChunksStartAtGTIDOrRowsEventsAndCoverTheFile() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    let chunks = try XCTUnwrap(ParallelExport.chunks(of: file, format: reader.format, chunkSize: 4096))
    XCTAssertGreaterThan(chunks.count, 10)
    XCTAssertEqual(chunks.first?.range.lowerBound, 4)
    XCTAssertEqual(chunks.last?.range.upperBound, UInt64(file.count))
    for (a, b) in zip(chunks, chunks.dropFirst()) { XCTAssertEqual(a.range.upperBound, b.range.lowerBound) }
    for c in chunks.dropFirst() {
      let type = EventType(file.bytes[Int(c.range.lowerBound) + 4])
      if let start = c.transactionStart {
        XCTAssertTrue(type.isRows, "chunk at \(c.range.lowerBound) inside a transaction starts with \(type.name)")
        XCTAssertEqual(EventType(file.bytes[Int(start) + 4]), .mariaGTID, "transaction start \(start)")
        XCTAssertLessThan(start, c.range.lowerBound)
      } else {
        XCTAssertEqual(type, .mariaGTID, "chunk at \(c.range.lowerBound) starts with \(type.name)")
      }
    }
  }

  /// One-pass and parallel NDJSON of `path` with every possible cut made (chunk size 1): each
  /// rows event of a transaction that can be picked up starts a chunk.
  func assertSameExportCutEverywhere(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = try sequential(path)
    XCTAssertGreaterThan(expected.count, 500, "\(path): too little output to compare", file: file, line: line)
    let mapped = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: mapped, name: path)
    try reader.loadFormat()
    let chunks = try XCTUnwrap(ParallelExport.chunks(of: mapped, format: reader.format, chunkSize: 1), file: file, line: line)
    let inside = chunks.filter { $0.transactionStart != nil }.count
    XCTAssertGreaterThan(inside, 0, "\(path): no chunk starts inside a transaction", file: file, line: line)
    for threads in [2, 3] {
      let (got, count) = try parallel(path, chunkSize: 1, threads: threads)
      XCTAssertEqual(count, chunks.count)
      if got != expected {
        let at = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
        XCTFail(
          "\(path) threads \(threads) (\(count) chunks, \(inside) inside transactions): output differs at byte \(at) "
            + "(\(got.count) vs \(expected.count) bytes)", file: file, line: line)
      }
    }
  }

  /// MariaDB: transactions of up to 22 rows events after Annotate_rows, names from FULL metadata
  /// or from DDL replayed between them, MariaDB-compressed rows events.
  func testChunksInsideMariaDBTransactionsExportLikeOnePass() throws {
    for f in [
      "/mariadb-10.11/binlog.000001", "/mariadb-10.11/binlog.000003", "/mariadb-10.11-minimal/binlog.000001",
      "/mariadb-10.11-minimal-image/binlog.000001", "/mariadb-10.11-compressed/binlog.000001",
    ] {
      try assertSameExportCutEverywhere(TestPaths.fixtures + f)
    }
  }

  /// MySQL: GTID, then a BEGIN query, then the transaction's Table_map and rows events.
  func testChunksInsideMySQLTransactionsExportLikeOnePass() throws {
    try assertSameExportCutEverywhere(try TestPaths.corpusFile("blackbeam__rust_mysql_common/json-opaque.binlog"))
    try assertSameExportCutEverywhere(try TestPaths.corpusFile("blackbeam__rust_mysql_common/vector.binlog"))
  }

  /// A MySQL 8 Transaction_payload (compressed transaction) is not cut: one pass exports it.
  func testFileWithTransactionPayloadIsNotCut() throws {
    let path = try TestPaths.corpusFile("apecloud__mysql-binlog-connector-rust/mysql-bin.000057")
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    XCTAssertNil(ParallelExport.chunks(of: file, format: reader.format, chunkSize: 1))
  }

  /// Cut as it goes, the export of a file with Transaction_payload events (which cannot be cut
  /// past the first one) exports the chunks before it in parallel and the rest as one chunk:
  /// the bytes of the one pass.
  func testCutAsItGoesExportsWhatCannotBeCutAsOneLastChunk() throws {
    let path = try TestPaths.corpusFile("apecloud__mysql-binlog-connector-rust/mysql-bin.000057")
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    var before = 0
    let rest = ParallelExport.cut(file, format: reader.format, chunkSize: 1) { _ in
      before += 1
      return true
    }
    let last = try XCTUnwrap(rest, "the walk stops at the first Transaction_payload")
    XCTAssertEqual(last.range.upperBound, UInt64(file.count))
    XCTAssertGreaterThanOrEqual(before, 2, "chunks before the first Transaction_payload")
    XCTAssertEqual(EventType(file.bytes[Int(last.range.lowerBound) + 4]), .gtid, "the last chunk starts at a GTID")
    let expected = try sequential(path)
    for threads in [2, 3] {
      let got = try XCTUnwrap(try streamed(path, chunkSize: 1, threads: threads))
      XCTAssertTrue(got == expected, "threads \(threads): \(got.count) bytes vs \(expected.count) in one pass")
    }
  }

  /// A file too small for two chunks is left to the one pass: nothing written.
  func testCutAsItGoesDeclinesASingleChunk() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    XCTAssertNil(try streamed(path, chunkSize: 1 << 30, threads: 2))
  }

  /// A file that ends mid-event, cut as it goes: the output and the error of the one pass.
  func testCutAsItGoesOfATruncatedFileFailsLikeOnePass() throws {
    let src = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    let data = try Data(contentsOf: URL(fileURLWithPath: src))
    let tmp = NSTemporaryDirectory() + "sluice-parallel-truncated-go-\(getpid()).bin"
    try data.prefix(data.count - 7).write(to: URL(fileURLWithPath: tmp))
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let oneSink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: oneSink)
    exporter.schema = SchemaTracker()
    var walker = BinlogWalker(source: try BinlogInput(path: tmp))
    walker.completeTransactionsOnly = true
    var oneError: BinlogError?
    do { try walker.run { w, ev in try exporter.consume(ev, walker: w) } } catch let e as BinlogError { oneError = e }
    try oneSink.flush()
    let expected = oneSink.takeCaptured()
    XCTAssertGreaterThan(expected.count, 1000)
    for (chunkSize, threads) in [(2048, 2), (1, 3)] {
      let file = try MappedFile(path: tmp)
      var reader = try MappedBinlogReader(file: file, name: tmp)
      try reader.loadFormat()
      let sink = OutputSink.memory()
      var error: BinlogError?
      do {
        let ran = try ParallelExport.run(
          file: file, name: reader.name, format: reader.format, chunkSize: chunkSize, readerOptions: ReaderOptions(),
          makeTracker: { _ in SchemaTracker() }, sink: sink, threads: threads, maxBuffered: 4096,
          makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
        XCTAssertTrue(ran)
      } catch let e as BinlogError {
        error = e
      }
      try sink.flush()
      XCTAssertEqual(error?.description, oneError?.description, "chunk \(chunkSize) threads \(threads)")
      XCTAssertTrue(sink.takeCaptured() == expected, "chunk \(chunkSize) threads \(threads): the output differs")
    }
  }

  /// A transaction still open at the end of the file is not cut inside: its rows are held back
  /// by every chunk, as by the one pass that stops before it.
  func testOpenLastTransactionIsNotCutInside() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11/binlog.000003"
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    let whole = try XCTUnwrap(ParallelExport.chunks(of: file, format: reader.format, chunkSize: 1))
    // Cut the file before the Xid of the last transaction that has chunks inside it.
    let lastInside = try XCTUnwrap(whole.last { $0.transactionStart != nil })
    var pos = Int(lastInside.range.lowerBound)
    while data[pos + 4] != EventType.xid.rawValue {
      pos += Int(data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: pos + 9, as: UInt32.self)) })
    }
    let tmp = NSTemporaryDirectory() + "sluice-parallel-open-\(getpid()).bin"
    try data.prefix(pos).write(to: URL(fileURLWithPath: tmp))
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let cut = try MappedFile(path: tmp)
    var cutReader = try MappedBinlogReader(file: cut)
    try cutReader.loadFormat()
    let chunks = try XCTUnwrap(ParallelExport.chunks(of: cut, format: cutReader.format, chunkSize: 1))
    let open = try XCTUnwrap(lastInside.transactionStart)
    XCTAssertFalse(
      chunks.contains { $0.transactionStart == open }, "a chunk starts inside the transaction at \(open), which has no Xid")
    let sink = OutputSink.memory()
    try ParallelExport.run(
      file: cut, name: cutReader.name, chunks: chunks, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: sink, threads: 2, maxBuffered: 4096,
      makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
    try sink.close()
    let oneSink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: oneSink)
    exporter.schema = SchemaTracker()
    var walker = BinlogWalker(source: try BinlogInput(path: tmp))
    walker.completeTransactionsOnly = true
    try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    try oneSink.close()
    XCTAssertEqual(walker.openTail, open, "the one pass stops before the open transaction")
    let expected = oneSink.takeCaptured()
    XCTAssertEqual(sink.takeCaptured(), expected)
    // Cut as it goes: the same output, and the open transaction's start is handed back for the
    // note the one pass prints ("has no commit yet").
    for threads in [2, 3] {
      let streamed = OutputSink.memory()
      let tail = ParallelExport.OpenTail()
      let ran = try ParallelExport.run(
        file: cut, name: cutReader.name, format: cutReader.format, chunkSize: 2048, readerOptions: ReaderOptions(),
        makeTracker: { _ in SchemaTracker() }, sink: streamed, threads: threads, maxBuffered: 4096, openTail: tail,
        makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
      try streamed.close()
      XCTAssertTrue(ran)
      XCTAssertEqual(streamed.takeCaptured(), expected, "threads \(threads)")
      XCTAssertEqual(tail.offset, open, "threads \(threads): the open transaction's start")
    }
    // A whole file has no open tail.
    let tail = ParallelExport.OpenTail()
    let whole2 = OutputSink.memory()
    XCTAssertTrue(
      try ParallelExport.run(
        file: file, name: reader.name, format: reader.format, chunkSize: 2048, readerOptions: ReaderOptions(),
        makeTracker: { _ in SchemaTracker() }, sink: whole2, threads: 2, maxBuffered: 4096, openTail: tail,
        makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions())))
    try whole2.close()
    XCTAssertNil(tail.offset)
  }

  /// A checksum error in one chunk: the parallel export writes exactly what the one pass wrote
  /// before the error, and throws the same error (the first in file order, whatever the order
  /// the workers reach their chunks in), on every thread count.
  func testAnErrorInAChunkFailsAfterTheSameOutputAsOnePass() throws {
    let src = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    var data = try Data(contentsOf: URL(fileURLWithPath: src))
    let input = try BinlogInput(path: src)
    var rows: [UInt64] = []
    while let e = try input.next() {
      if e.type.isRows { rows.append(e.offset + 30) }
    }
    // A byte inside a rows event two thirds into the file: its CRC32 no longer matches.
    let damaged = Int(rows[rows.count * 2 / 3])
    data[damaged] ^= 0x5A
    let tmp = NSTemporaryDirectory() + "sluice-parallel-damaged-\(getpid()).bin"
    try data.write(to: URL(fileURLWithPath: tmp))
    defer { try? FileManager.default.removeItem(atPath: tmp) }

    let oneSink = OutputSink.memory()
    let exporter = NDJSONExporter(sink: oneSink)
    exporter.schema = SchemaTracker()
    var walker = BinlogWalker(source: try BinlogInput(path: tmp))
    var oneError: BinlogError?
    do { try walker.run { w, ev in try exporter.consume(ev, walker: w) } } catch let e as BinlogError { oneError = e }
    try oneSink.flush()
    let expectedError = try XCTUnwrap(oneError, "the damaged byte is not detected")
    let expected = oneSink.takeCaptured()
    XCTAssertGreaterThan(expected.count, 1000)

    let file = try MappedFile(path: tmp)
    var reader = try MappedBinlogReader(file: file, name: tmp)
    try reader.loadFormat()
    for (chunkSize, threads) in [(2048, 2), (4096, 3), (1, 2)] {
      let chunks = try XCTUnwrap(ParallelExport.chunks(of: file, format: reader.format, chunkSize: chunkSize))
      let sink = OutputSink.memory()
      XCTAssertThrowsError(
        try ParallelExport.run(
          file: file, name: reader.name, chunks: chunks, readerOptions: ReaderOptions(),
          makeTracker: { _ in SchemaTracker() }, sink: sink, threads: threads, maxBuffered: 4096,
          makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
      ) { error in
        XCTAssertEqual((error as? BinlogError)?.description, expectedError.description, "chunk \(chunkSize) threads \(threads)")
      }
      try sink.flush()
      XCTAssertTrue(sink.takeCaptured() == expected, "chunk \(chunkSize) threads \(threads): the output before the error differs")
      // The same, cut as it goes.
      let streamed = OutputSink.memory()
      XCTAssertThrowsError(
        try ParallelExport.run(
          file: file, name: reader.name, format: reader.format, chunkSize: chunkSize, readerOptions: ReaderOptions(),
          makeTracker: { _ in SchemaTracker() }, sink: streamed, threads: threads, maxBuffered: 4096,
          makeWorker: NDJSONExporter.parallelWorker(options: ExportOptions()))
      ) { error in
        XCTAssertEqual((error as? BinlogError)?.description, expectedError.description, "cut as it goes, chunk \(chunkSize)")
      }
      try streamed.flush()
      XCTAssertTrue(streamed.takeCaptured() == expected, "cut as it goes, chunk \(chunkSize) threads \(threads)")
    }
  }

  /// Stdin and pipes are never opened to look for a parallel plan (that would eat their bytes).
  func testOnlyRegularFilesAreTakenForTheParallelExport() throws {
    XCTAssertNil(ParallelExport.mappedBinlog(path: "-", options: ReaderOptions()))
    let fifo = NSTemporaryDirectory() + "sluice-parallel-fifo-\(getpid())"
    XCTAssertEqual(mkfifo(fifo, 0o600), 0)
    defer { unlink(fifo) }
    XCTAssertNil(ParallelExport.mappedBinlog(path: fifo, options: ReaderOptions()))
    let reader = try XCTUnwrap(
      ParallelExport.mappedBinlog(path: TestPaths.fixtures + "/mariadb-10.11/binlog.000001", options: ReaderOptions()))
    XCTAssertEqual(reader.format.checksum, .crc32, "the format description is loaded")
  }

  func testTruncatedFileIsNotCut() throws {
    let src = TestPaths.fixtures + "/mariadb-10.11/binlog.000001"
    let data = try Data(contentsOf: URL(fileURLWithPath: src))
    let tmp = NSTemporaryDirectory() + "sluice-parallel-truncated-\(getpid()).bin"
    try data.prefix(data.count - 7).write(to: URL(fileURLWithPath: tmp))
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let file = try MappedFile(path: tmp)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    XCTAssertNil(
      ParallelExport.chunks(of: file, format: reader.format, chunkSize: 4096),
      "a file that ends mid-event is exported in one pass (which reports the damage)")
  }
}

/// The fast paths of the JSON writer and the row decoder give what the plain ones give.
final class FastPathEquivalenceTests: XCTestCase {
  /// The reference: validate, then escape byte by byte.
  func reference(_ b: [UInt8]) -> [UInt8]? {
    b.withUnsafeBytes { raw -> [UInt8]? in
      guard Charset.isValidUTF8(raw) else { return nil }
      var out: [UInt8] = [0x22]
      for c in b {
        switch c {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, 0x6E]
        case 0x0D: out += [0x5C, 0x72]
        case 0x09: out += [0x5C, 0x74]
        case 0x08: out += [0x5C, 0x62]
        case 0x0C: out += [0x5C, 0x66]
        case 0..<0x20: out += Array(String(format: "\\u%04x", Int(c)).utf8)
        default: out.append(c)
        }
      }
      out.append(0x22)
      return out
    }
  }

  func testStringEscapingAtEveryPositionOfAWord() {
    let specials: [UInt8] = [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x7F, 0x20, 0x80, 0xC3]
    for length in 0...19 {
      for pos in 0..<max(1, length) {
        for s in specials {
          var b = [UInt8](repeating: 0x61, count: length)
          if length > 0 { b[pos] = s }
          if s == 0xC3 && pos + 1 < length { b[pos + 1] = 0xA9 }  // é
          var out: [UInt8] = []
          let ok = b.withUnsafeBytes { JSONWriter.appendStringIfValidUTF8($0, into: &out) }
          let want = reference(b)
          XCTAssertEqual(ok, want != nil, "valid? length \(length) byte 0x\(String(s, radix: 16)) at \(pos)")
          XCTAssertEqual(out, want ?? [], "length \(length) byte 0x\(String(s, radix: 16)) at \(pos)")
          var escaped: [UInt8] = []
          b.withUnsafeBytes { JSONWriter.appendEscaped($0, into: &escaped) }
          if let want { XCTAssertEqual([0x22] + escaped + [0x22], want, "appendEscaped, length \(length) at \(pos)") }
        }
      }
    }
  }

  func testIntegersAndDatesFormatLikeDescription() {
    for v: UInt64 in [0, 9, 10, 99, 100, 101, 999, 1000, 65535, 1 << 32, 12_345_678_901, .max, .max - 1] {
      var out: [UInt8] = []
      JSONWriter.appendUInt(v, into: &out)
      XCTAssertEqual(String(decoding: out, as: UTF8.self), String(v))
    }
    var out: [UInt8] = []
    TemporalText.appendDateTime(year: 7, month: 1, day: 2, hour: 3, minute: 4, second: 5, micros: 120, fsp: 4, into: &out)
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "0007-01-02 03:04:05.0001")
    out = []
    TemporalText.appendDate(year: 12345, month: 1, day: 2, into: &out)
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "12345-01-02")
    out = []
    TemporalText.appendTimestampISO(seconds: 1_795_316_400, micros: 1462, fsp: 6, zone: .utc, into: &out)
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "2026-11-22T03:00:00.001462Z")
  }

  /// One decoder reset for every rows event decodes the same values as a new decoder per event.
  func testResetDecoderDecodesLikeAFreshOne() throws {
    var compared = 0
    for f in ["/mariadb-10.11/binlog.000001", "/mariadb-10.11/binlog.000003", "/mariadb-10.11-minimal/binlog.000001"] {
      let input = try BinlogInput(path: TestPaths.fixtures + f)
      var walker = BinlogWalker(source: input)
      var reused: RowDecoder?
      try walker.run { w, ev in
        guard case .rows(let rows) = ev.body, let table = w.tableMaps[rows.tableID] else { return }
        var fresh = try RowDecoder(event: rows, table: table)
        if reused == nil {
          reused = try RowDecoder(event: rows, table: table)
        } else {
          try reused!.reset(event: rows, table: table)
        }
        while try fresh.next() {
          XCTAssertTrue(try reused!.next(), "\(f) at \(ev.raw.offset): reused decoder ended early")
          for i in 0..<rows.columnCount {
            XCTAssertTrue(
              ColumnValueComparison.same(fresh.before[i], reused!.before[i])
                && ColumnValueComparison.same(fresh.after[i], reused!.after[i]),
              "\(f) at \(ev.raw.offset) row \(fresh.rowIndex) column \(i)")
            compared += 1
          }
        }
        XCTAssertFalse(try reused!.next(), "\(f) at \(ev.raw.offset): reused decoder has extra rows")
      }
    }
    XCTAssertGreaterThan(compared, 1000)
  }

  func testQueryKindClassification() {
    let cases: [(String, QueryKind)] = [
      ("BEGIN", .begin), ("begin", .begin), ("  /* c */ COMMIT", .commit), ("# x\nROLLBACK", .rollback),
      ("ROLLBACK TO SAVEPOINT a", .savepoint), ("rollback to a", .savepoint), ("SAVEPOINT a", .savepoint),
      ("START TRANSACTION", .begin), ("start slave", .other), ("XA START 'x'", .xaStart), ("xa begin 'x'", .xaStart),
      ("XA END 'x'", .xaEnd), ("XA PREPARE 'x'", .xaPrepare), ("XA COMMIT 'x'", .xaCommit),
      ("XA ROLLBACK 'x'", .xaRollback), ("XA RECOVER", .other), ("BEGINS", .other), ("insert into t values (1)", .other),
      ("", .other), ("/* unterminated", .other), ("COMMIT;", .commit),
    ]
    for (sql, kind) in cases { XCTAssertEqual(QueryKind.classify(Array(sql.utf8)), kind, sql) }
  }
}

/// `events` text lines, now written as bytes, read as they did when built from Strings.
final class EventListingTextTests: XCTestCase {
  /// The statement on one line, eight bytes at a time, equals the byte-by-byte String version:
  /// breaks and tabs at every offset, in runs, beside spaces, in short and long texts.
  func testOneLineStatementsMatchTheStringVersion() {
    var seed: UInt64 = 7
    func next() -> UInt64 {
      seed &+= 0x9E37_79B9_7F4A_7C15
      var z = seed
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    let alphabet: [UInt8] = [0x0A, 0x0D, 0x09, 0x20, 0x61, 0x62, 0xC3, 0xA9, 0x27, 0xFF]
    for round in 0..<3000 {
      let n = round < 2000 ? Int(next() % 40) : Int(next() % 400)
      // Mostly letters, so runs of eight without a break are common.
      let b: [UInt8] = (0..<n).map { _ in next() % 4 == 0 ? alphabet[Int(next() % 10)] : 0x61 }
      var got: [UInt8] = [0x7A]
      b.withUnsafeBytes { EventListing.appendOneLine($0, into: &got) }
      XCTAssertEqual(String(decoding: got.dropFirst(), as: UTF8.self), EventListing.oneLine(b), "\(b)")
    }
  }

  func testTextLinesMatchTheSummaryLayout() throws {
    var lines = 0
    for f in ["/mariadb-10.11/binlog.000001", "/mariadb-10.11-minimal/binlog.000002", "/mariadb-10.11-compressed/binlog.000001"] {
      let path = TestPaths.fixtures + f
      guard FileManager.default.fileExists(atPath: path) else { continue }
      let sink = OutputSink.memory()
      let listing = EventListing(sink: sink, format: .text)
      var expected = ""
      let input = try BinlogInput(path: path)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in
        try listing.consume(ev, walker: w)
        // The layout as it was built with String interpolation.
        let end = ev.inPayload ? ev.fileEndOffset : ev.raw.endOffset
        var line = "\(ev.raw.offset)"
        line += String(repeating: " ", count: max(1, 11 - line.utf8.count))
        line += "\(end)"
        line += String(repeating: " ", count: max(1, 22 - line.utf8.count))
        line += (ev.inPayload ? "+" : "") + ev.raw.type.name
        line += String(repeating: " ", count: max(1, 48 - line.utf8.count))
        line += TemporalText.isoUTC(Int64(ev.raw.header.timestamp))
        line += "  \(ev.raw.header.serverID)  " + EventListing.summary(ev, w) + "\n"
        expected += line
      }
      try sink.close()
      let got = String(decoding: sink.takeCaptured(), as: UTF8.self)
      let gotLines = got.split(separator: "\n", omittingEmptySubsequences: false)
      let wantLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
      XCTAssertEqual(gotLines.count, wantLines.count, f)
      for (i, (g, w)) in zip(gotLines, wantLines).enumerated() where g != w {
        XCTFail("\(f) line \(i + 1):\n got: \(g)\nwant: \(w)")
        break
      }
      lines += wantLines.count
    }
    XCTAssertGreaterThan(lines, 1000)
  }
}
