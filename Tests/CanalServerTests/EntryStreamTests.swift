import BinlogFormat
import BinlogIO
import CanalProtocol
import CanalServer
import Exporters
import Foundation
import SluiceTestSupport
import SwiftProtobuf
import XCTest

/// `CanalEntryStream`: the pull API the Canal server reads.
final class EntryStreamTests: XCTestCase {
  func allBatches(_ stream: CanalEntryStream, max: Int) throws -> [CanalStreamEntry] {
    var out: [CanalStreamEntry] = []
    while true {
      let batch = try stream.nextEntries(max: max)
      if batch.isEmpty { break }
      XCTAssertLessThanOrEqual(batch.count, max)
      out += batch
    }
    XCTAssertTrue(stream.isAtEnd)
    return out
  }

  func testBatchesGiveTheExporterStream() throws {
    let files = TestPaths.fixtureSet()
    // The exporter's framed output is the reference.
    let sink = OutputSink.memory()
    let exporter = CanalExporter(sink: sink, options: quietOptions())
    for p in files {
      let input = try BinlogInput(path: p)
      var walker = BinlogWalker(source: input)
      try walker.run { w, ev in try exporter.consume(ev, walker: w) }
    }
    try exporter.finish()
    let reference = try EntryFraming.decodeEntries(sink.captured)

    for max in [1, 7, 1000] {
      let stream = try CanalEntryStream(paths: files, options: quietOptions())
      let items = try allBatches(stream, max: max)
      XCTAssertEqual(items.count, reference.count, "batch size \(max)")
      for (i, (item, ref)) in zip(items, reference).enumerated() where item.entry != ref {
        XCTFail("entry \(i) differs with batch size \(max) at \(item.position)")
        break
      }
      for item in items {
        XCTAssertEqual(item.position.file, item.entry.header.logfileName)
        XCTAssertEqual(Int64(item.position.offset), item.entry.header.logfileOffset)
        XCTAssertEqual(item.next.offset, item.position.offset + UInt64(item.entry.header.eventLength))
        XCTAssertTrue(item.path.hasSuffix(item.position.file))
      }
      XCTAssertEqual(try stream.nextEntries(max: 10).count, 0)
    }
  }

  func testTransactionEndsAreRestartPoints() throws {
    let files = TestPaths.fixtureSet()
    let options = quietOptions(forClients: false)
    let all = try allBatches(try CanalEntryStream(paths: files, options: options), max: 50)
    let ends = all.indices.filter { all[$0].endsTransaction }
    XCTAssertGreaterThan(ends.count, 100)
    // Every Xid/COMMIT is a transaction end; a DDL too. XA END is not: the XA_prepare event
    // that follows it ends the prepared transaction.
    for item in all where item.entry.entryType == .transactionend {
      let isXAEnd = (try? CanalTransactionEnd(serializedBytes: item.entry.storeValue))?.props.first?.value == "XA END"
      XCTAssertEqual(item.endsTransaction, !isXAEnd, "\(item.position)")
    }
    let ddl = try XCTUnwrap(all.first { $0.mapped.rowChange?.isDdl == true })
    XCTAssertTrue(ddl.endsTransaction)
    // Restarting after any transaction end gives exactly the rest of the stream.
    for i in [ends[3], ends[ends.count / 2], ends[ends.count - 2]] {
      let restart = try CanalEntryStream(paths: files, options: options, start: all[i].next)
      let rest = try allBatches(restart, max: 13)
      let expected = Array(all[(i + 1)...])
      XCTAssertEqual(rest.count, expected.count, "restart at \(all[i].next)")
      XCTAssertEqual(rest.map(\.position), expected.map(\.position))
      XCTAssertEqual(rest.map(\.entry), expected.map(\.entry), "restart at \(all[i].next)")
    }
  }

  func testSeekRewindsAndPositionAdvances() throws {
    let files = TestPaths.fixtureSet()
    let stream = try CanalEntryStream(paths: files, options: quietOptions())
    XCTAssertEqual(stream.position, BinlogPosition(file: "binlog.000001", offset: 4))
    let first = try stream.nextEntries(max: 5)
    XCTAssertEqual(first.count, 5)
    XCTAssertGreaterThanOrEqual(stream.position.offset, first.last!.next.offset)
    try stream.seek(to: BinlogPosition(file: "binlog.000001", offset: 0))
    let again = try stream.nextEntries(max: 5)
    XCTAssertEqual(again.map(\.entry), first.map(\.entry))
    XCTAssertThrowsError(try stream.seek(to: BinlogPosition(file: "binlog.000009", offset: 4)))
    // A whole later file by base name.
    try stream.seek(to: BinlogPosition(file: "binlog.000003", offset: 4))
    let third = try stream.nextEntries(max: 3)
    XCTAssertEqual(third.first?.position.file, "binlog.000003")
  }

  func testCompressedTransactionPayloadEntriesShareThePayloadPosition() throws {
    let path = try TestPaths.corpusFile("blackbeam__rust_mysql_common/transaction_compression.000001")
    let items = try allBatches(try CanalEntryStream(paths: [path], options: quietOptions(forClients: false)), max: 1)
    let inner = items.filter { $0.position.offset == 274 }
    XCTAssertEqual(inner.map(\.entry.entryType), [.transactionbegin, .rowdata, .transactionend])
    let length = inner[0].entry.header.eventLength
    XCTAssertTrue(inner.allSatisfy { $0.entry.header.eventLength == length && $0.next.offset == 274 + UInt64(length) })
    let end = try CanalTransactionEnd(serializedBytes: inner[2].entry.storeValue)
    XCTAssertEqual(end.transactionID, "462")
  }
}
