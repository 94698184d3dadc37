import BinlogFormat
import BinlogIO
import CanalProtocol
import CanalServer
import Foundation
import SluiceTestSupport
import XCTest

/// `serve --follow`: a `CanalBinlogEntrySource` that follows a copy of the MariaDB fixture set
/// growing chunk by chunk (cuts inside events; each next file appears only after a Rotate) hands
/// out, across its empty polls, exactly the entries of a source over the whole files.
final class FollowingSourceTests: XCTestCase {
  func testFollowingSourceServesTheWholeFilesEntries() throws {
    let names = ["binlog.000001", "binlog.000002", "binlog.000003"]
    let whole = names.map { TestPaths.fixtures + "/mariadb-10.11/" + $0 }
    let reference = try CanalBinlogEntrySource(paths: whole, options: quietOptions(), readerOptions: ReaderOptions())
    var expected: [PositionedEntry] = []
    while !reference.isFinished { expected += try reference.next(max: 100) }
    XCTAssertGreaterThan(expected.count, 500)

    let dir = NSTemporaryDirectory() + "sluice-follow-serve-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sources = try whole.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    try sources[0].prefix(700).write(to: URL(fileURLWithPath: dir + "/" + names[0]))
    let source = try CanalBinlogEntrySource(
      paths: [dir + "/" + names[0]], options: quietOptions(), readerOptions: ReaderOptions(), follow: true)
    var got: [PositionedEntry] = []
    var emptyPolls = 0
    var file = 0
    var fed = 700
    let sizes = [19, 4001, 1, 9000, 18, 30_000]
    var chunk = 0
    while file < sources.count {
      let batch = try source.next(max: 50)
      got += batch
      XCTAssertFalse(source.isFinished)
      if !batch.isEmpty { continue }
      emptyPolls += 1
      // Nothing more is complete: the "server" writes on.
      if fed == sources[file].count {
        file += 1
        fed = 0
        continue  // one poll with the next file missing
      }
      let path = dir + "/" + names[file]
      if fed == 0 { FileManager.default.createFile(atPath: path, contents: nil) }
      let n = Swift.min(sizes[chunk % sizes.count], sources[file].count - fed)
      chunk += 1
      let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
      try h.seekToEnd()
      try h.write(contentsOf: sources[file][fed..<(fed + n)])
      try h.close()
      fed += n
    }
    got += try source.next(max: 100_000)
    XCTAssertTrue(try source.next(max: 10).isEmpty)
    XCTAssertGreaterThan(emptyPolls, 30)
    XCTAssertEqual(got.count, expected.count)
    for (i, (g, e)) in zip(got, expected).enumerated() where g.bytes != e.bytes {
      XCTFail("entry \(i) differs at \(e.position)")
      break
    }
  }
}

/// `serve --follow` over a followed file whose tail will never be completed (as
/// `FollowerDamageTests` for the other commands): once the server has started the next file, a
/// damaged size field is an error and a transaction cut before its commit is left out, the
/// source going on with the next file.
final class FollowingSourceDamageTests: XCTestCase {
  let set = TestPaths.fixtureSet("mariadb-10.11")

  func middleRowsEvent() throws -> RawEventSpan {
    let input = try BinlogInput(path: set[0])
    var rows: [RawEventSpan] = []
    let kinds: [EventType] = [.writeRowsV1, .updateRowsV1, .deleteRowsV1]
    while let e = try input.next() {
      if kinds.contains(e.type) { rows.append(RawEventSpan(offset: e.offset, end: e.endOffset)) }
    }
    XCTAssertGreaterThan(rows.count, 10)
    return rows[rows.count / 2]
  }

  struct RawEventSpan {
    var offset: UInt64
    var end: UInt64
  }

  func directory() throws -> String {
    let dir = NSTemporaryDirectory() + "sluice-follow-serve-damage-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
  }

  func testADamagedSizeFieldIsAnErrorOnceTheNextFileStarted() throws {
    let dir = try directory()
    var first = try Data(contentsOf: URL(fileURLWithPath: set[0]))
    let damaged = try middleRowsEvent()
    let size = UInt32(UInt64(first.count) - damaged.offset + 50_000).littleEndian
    withUnsafeBytes(of: size) { first.replaceSubrange(Int(damaged.offset) + 9..<Int(damaged.offset) + 13, with: $0) }
    try first.write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let source = try CanalBinlogEntrySource(
      paths: [dir + "/binlog.000001"], options: quietOptions(), readerOptions: ReaderOptions(), follow: true)
    var polls = 0
    var error: BinlogError?
    while polls < 40 {
      do {
        let batch = try source.next(max: 100)
        if batch.isEmpty {
          polls += 1
          if polls == 2 {
            try Data(contentsOf: URL(fileURLWithPath: set[1])).write(to: URL(fileURLWithPath: dir + "/binlog.000002"))
          }
        }
      } catch let e as BinlogError {
        error = e
        break
      }
    }
    let e = try XCTUnwrap(error, "the source polled \(polls) times without an error")
    XCTAssertEqual(e.offset, damaged.offset, e.description)
    XCTAssertTrue(e.description.contains("already started binlog.000002"), e.description)
    XCTAssertLessThanOrEqual(polls, 3)
  }

  func testACutTransactionIsLeftOutAndTheNextFileServed() throws {
    let dir = try directory()
    let first = try Data(contentsOf: URL(fileURLWithPath: set[0]))
    let cut = try middleRowsEvent()
    try first.prefix(Int(cut.end)).write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let source = try CanalBinlogEntrySource(
      paths: [dir + "/binlog.000001"], options: quietOptions(), readerOptions: ReaderOptions(), follow: true)
    let reference = try CanalBinlogEntrySource(paths: [set[1]], options: quietOptions(), readerOptions: ReaderOptions())
    var expectedSecond: [PositionedEntry] = []
    while !reference.isFinished { expectedSecond += try reference.next(max: 100) }
    var got: [PositionedEntry] = []
    var polls = 0
    while polls < 12 {
      let batch = try source.next(max: 100)
      got += batch
      if batch.isEmpty {
        polls += 1
        if polls == 2 {
          try Data(contentsOf: URL(fileURLWithPath: set[1])).write(to: URL(fileURLWithPath: dir + "/binlog.000002"))
        }
      }
    }
    let firstFile = got.filter { $0.position.file == "binlog.000001" }
    let secondFile = got.filter { $0.position.file == "binlog.000002" }
    XCTAssertFalse(firstFile.isEmpty)
    XCTAssertTrue(firstFile.allSatisfy { $0.position.offset < cut.offset }, "nothing of the cut transaction")
    XCTAssertEqual(secondFile.count, expectedSecond.count)
    XCTAssertTrue(zip(secondFile, expectedSecond).allSatisfy { $0.bytes == $1.bytes }, "the next file is served whole")
  }
}
