import BinlogFormat
import BinlogIO
import BinlogSchema
import CanalProtocol
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `export --format canal` on several threads writes exactly the Entry stream of one pass.
final class ParallelCanalExportTests: XCTestCase {
  /// One pass, as the CLI runs it: a DDL-replaying tracker fed every event names the columns.
  func sequential(_ path: String, options: CanalOptions) throws -> [UInt8] {
    let sink = OutputSink.memory()
    let exporter = CanalExporter(sink: sink, options: options)
    let tracker = SchemaTracker()
    exporter.mapper.tableMapSource = { id, _ in tracker.tableMap(id) }
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in
      tracker.consume(ev, file: w.fileName)
      try exporter.consume(ev, walker: w)
    }
    try exporter.finish()
    try sink.close()
    return sink.takeCaptured()
  }

  func parallel(_ path: String, options: CanalOptions, chunkSize: Int, threads: Int) throws -> (bytes: [UInt8], chunks: Int) {
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file, name: binlogBaseName(path))
    try reader.loadFormat()
    let chunks = try XCTUnwrap(ParallelExport.chunks(of: file, format: reader.format, chunkSize: chunkSize))
    let sink = OutputSink.memory()
    try ParallelExport.run(
      file: file, name: reader.name, chunks: chunks, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: sink, threads: threads, maxBuffered: 4096,
      makeWorker: CanalExporter.parallelWorker(options: options))
    try sink.close()
    let bytes = sink.takeCaptured()
    // The same export with the file cut as the workers go.
    let streamed = OutputSink.memory()
    let ran = try ParallelExport.run(
      file: file, name: reader.name, format: reader.format, chunkSize: chunkSize, readerOptions: ReaderOptions(),
      makeTracker: { _ in SchemaTracker() }, sink: streamed, threads: threads, maxBuffered: 4096,
      makeWorker: CanalExporter.parallelWorker(options: options))
    try streamed.close()
    XCTAssertTrue(ran, "\(path): the cut-as-it-goes export ran")
    XCTAssertTrue(
      streamed.takeCaptured() == bytes, "\(path) chunk \(chunkSize) threads \(threads): the cut-as-it-goes export differs")
    return (bytes, chunks.count)
  }

  func assertSameStream(_ path: String, forClients: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
    var options = CanalOptions()
    options.forClients = forClients
    options.onWarning = { _ in }
    let expected = try sequential(path, options: options)
    XCTAssertGreaterThan(expected.count, 10_000, "\(path): too little output to compare", file: file, line: line)
    for (chunkSize, threads) in [(2048, 2), (16384, 3), (65536, 2)] {
      let (got, chunks) = try parallel(path, options: options, chunkSize: chunkSize, threads: threads)
      XCTAssertGreaterThan(chunks, 1, "\(path): the file was not cut", file: file, line: line)
      if got != expected {
        let at = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
        XCTFail(
          "\(path) chunk \(chunkSize) threads \(threads) (\(chunks) chunks): entries differ at byte \(at) "
            + "(\(got.count) vs \(expected.count) bytes)", file: file, line: line)
      }
    }
  }

  /// Every possible cut made (chunk size 1): chunks begin at rows events inside transactions,
  /// after Annotate_rows (which Canal makes a QUERY entry of, flushing its client buffer) or
  /// before the first one (BEGIN still held by the filter), and each entry is written once.
  func assertSameStreamCutEverywhere(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    // Raw entries and the client view (its empty-transaction throttle decided in output order).
    for forClients in [false, true] {
      var options = CanalOptions()
      options.forClients = forClients
      options.onWarning = { _ in }
      let expected = try sequential(path, options: options)
      XCTAssertGreaterThan(expected.count, 500, "\(path): too little output to compare", file: file, line: line)
      let mapped = try MappedFile(path: path)
      var reader = try MappedBinlogReader(file: mapped)
      try reader.loadFormat()
      let chunks = try XCTUnwrap(ParallelExport.chunks(of: mapped, format: reader.format, chunkSize: 1))
      XCTAssertGreaterThan(
        chunks.filter { $0.transactionStart != nil }.count, 0, "\(path): no chunk inside a transaction", file: file, line: line)
      // Which worker takes which chunk varies from run to run: several runs each.
      for threads in [2, 3, 2, 3, 2, 3] {
        let (got, count) = try parallel(path, options: options, chunkSize: 1, threads: threads)
        if got != expected {
          let at =
            zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
          XCTFail(
            "\(path) forClients \(forClients) threads \(threads) (\(count) chunks): entries differ at byte \(at) "
              + "(\(got.count) vs \(expected.count) bytes)", file: file, line: line)
        }
      }
    }
  }

  func testChunksInsideMariaDBTransactionsWriteTheOnePassStream() throws {
    for f in [
      "/mariadb-10.11/binlog.000001", "/mariadb-10.11/binlog.000003", "/mariadb-10.11-minimal/binlog.000001",
      "/mariadb-10.11-statement/binlog.000001",
    ] {
      try assertSameStreamCutEverywhere(TestPaths.fixtures + f)
    }
  }

  /// MySQL transactions open with a BEGIN query: its TRANSACTIONBEGIN entry waits in the client
  /// filter for the first ROWDATA, which may be in the chunk after.
  func testChunksInsideMySQLTransactionsWriteTheOnePassStream() throws {
    try assertSameStreamCutEverywhere(try TestPaths.corpusFile("blackbeam__rust_mysql_common/json-opaque.binlog"))
    try assertSameStreamCutEverywhere(try TestPaths.corpusFile("blackbeam__rust_mysql_common/vector.binlog"))
  }

  func testParallelCanalExportMatchesOnePassWithFullMetadata() throws {
    try assertSameStream(TestPaths.fixtures + "/mariadb-10.11/binlog.000001")
    try assertSameStream(TestPaths.fixtures + "/mariadb-10.11/binlog.000001", forClients: true)
  }

  /// The client filter drops empty transactions (here statement-logged REPLACEs, of which Canal
  /// makes no entry, 1 s apart in runs and 6 s apart between runs) by the time and count of the
  /// ones it dropped before: state from every earlier chunk. The parallel workers defer each
  /// decision to the output order.
  func testClientFilterThrottleDecidedInOutputOrder() throws {
    let path = TestPaths.fixtures + "/mariadb-10.11-statement/binlog.000001"
    var raw = CanalOptions()
    raw.forClients = false
    raw.onWarning = { _ in }
    var clients = raw
    clients.forClients = true
    // The stream has empty transactions, some let through and some dropped by the throttle.
    var throttle = EmptyTransactionThrottle()
    var kept = 0
    var dropped = 0
    var filter = EntryClientFilter<TestEntry>(entryOf: { $0.mapped })
    filter.deferEmptyGroup = { time, _ in
      if throttle.lets(time) { kept += 1 } else { dropped += 1 }
    }
    var ignored: [TestEntry] = []
    for e in try mapEntries([path], options: raw) { filter.add(e, into: &ignored) }
    XCTAssertGreaterThan(kept, 0, "no empty transaction let through")
    XCTAssertGreaterThan(dropped, 0, "no empty transaction dropped")
    let delivered = try sequential(path, options: clients)
    for run in 0..<8 {
      let (got, chunks) = try parallel(path, options: clients, chunkSize: 1, threads: 2 + run % 2)
      XCTAssertGreaterThan(chunks, 2)
      XCTAssert(
        got == delivered,
        "run \(run): the parallel client stream differs from one pass (\(got.count) vs \(delivered.count) bytes)")
    }
  }

  /// A memory sink's conditional spans are handed on only when decided to be kept, in order,
  /// and dropped when drained without deciding (output a worker's pick-up throws away).
  func testConditionalSpansOfAMemorySink() throws {
    let memory = OutputSink.memory()
    var asked: [Int64] = []
    memory.keepSpan = { key in
      asked.append(key)
      return key % 2 == 0
    }
    func put(_ s: String) { memory.buffer.append(contentsOf: Array(s.utf8)) }
    put("a")
    var start = memory.streamOffset
    put("BB")
    memory.markConditional(from: start, key: 2)
    put("c")
    start = memory.streamOffset
    put("DD")
    memory.markConditional(from: start, key: 3)
    try memory.flush()
    put("e")
    start = memory.streamOffset
    put("FF")
    memory.markConditional(from: start, key: 4)
    var out: [UInt8] = []
    memory.drainCaptured(deciding: true) { out += $0 }
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "aBBc")
    XCTAssertEqual(asked, [2, 3])
    try memory.flush()
    memory.drainCaptured { out += $0 }  // not deciding: the span is dropped, nobody asked
    XCTAssertEqual(String(decoding: out, as: UTF8.self), "aBBce")
    XCTAssertEqual(asked, [2, 3])
  }

  /// Without FULL metadata the names come from DDL replay in every worker.
  func testParallelCanalExportMatchesOnePassWithNamesFromDDLReplay() throws {
    try assertSameStream(TestPaths.fixtures + "/mariadb-10.11-minimal/binlog.000001")
  }
}

extension ParallelCanalExportTests {
  /// `path` with the first rows event that follows an Annotate_rows and a Table_map in a
  /// transaction ended by an Xid repeated so that the transaction holds `copies` of it: each event's next position and
  /// CRC32 are rewritten. (No fixture has a statement of thousands of rows events.)
  func binlogWithLongStatement(_ path: String, copies: Int, into out: String) throws {
    let file = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: file)
    try reader.loadFormat()
    let format = reader.format
    XCTAssertEqual(format.checksum, .crc32)
    var events: [(offset: Int, size: Int, type: EventType)] = []
    while let raw = try reader.next() { events.append((Int(raw.offset), raw.bytes.count, raw.type)) }
    guard
      let k = events.indices.first(where: { i in
        i > 1 && events[i].type.isRows && events[i - 1].type == .tableMap && events[i - 2].type == .annotateRows
          && events[(i + 1)...].first { !$0.type.isRows }?.type == .xid
      })
    else { return XCTFail("\(path): no Annotate_rows statement ending with an Xid") }
    let bytes = Array(file.bytes)
    var output = Array(bytes[0..<4])
    func append(_ event: ArraySlice<UInt8>) {
      var e = Array(event)
      let next = UInt32(output.count + e.count)
      withUnsafeBytes(of: next.littleEndian) { e.replaceSubrange(13..<17, with: $0) }
      let crc = e.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(e.count - 4)])) }
      withUnsafeBytes(of: crc.littleEndian) { e.replaceSubrange((e.count - 4)..., with: $0) }
      output += e
    }
    for (i, ev) in events.enumerated() {
      let slice = bytes[ev.offset..<(ev.offset + ev.size)]
      for _ in 0..<(i == k ? copies : 1) { append(slice) }
    }
    try Data(output).write(to: URL(fileURLWithPath: out))
  }

  /// A chunk that begins deep inside a statement of thousands of rows events passes over only
  /// their count modulo Canal's transaction buffer (`ParallelExport.passedPeriod`): the client
  /// stream, its groups flushed every 1024 entries, is still the one pass's.
  func testChunksDeepInsideALongStatementWriteTheOnePassStream() throws {
    let path = try temporaryDirectory(removedAfter: self) + "/binlog.000001"
    try binlogWithLongStatement(TestPaths.fixtures + "/mariadb-10.11/binlog.000001", copies: 2600, into: path)
    let mapped = try MappedFile(path: path)
    var reader = try MappedBinlogReader(file: mapped)
    try reader.loadFormat()
    let chunks = try XCTUnwrap(ParallelExport.chunks(of: mapped, format: reader.format, chunkSize: 16384))
    let deep = chunks.filter { $0.transactionStart != nil && $0.passed.count > 1 }
    XCTAssertGreaterThan(deep.count, 3, "no chunk inside the long statement")
    XCTAssertLessThanOrEqual(chunks.map(\.passed.count).max() ?? 0, 1 + 1024, "passed events not trimmed")
    for forClients in [true, false] {
      var options = CanalOptions()
      options.forClients = forClients
      options.onWarning = { _ in }
      let expected = try sequential(path, options: options)
      XCTAssertGreaterThan(expected.count, 100_000)
      for threads in [2, 3] {
        let (got, _) = try parallel(path, options: options, chunkSize: 16384, threads: threads)
        XCTAssert(
          got == expected,
          "forClients \(forClients) threads \(threads): differs from one pass (\(got.count) vs \(expected.count) bytes)")
      }
    }
  }
}
