import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

/// `BinlogFollower` (`--follow`) over a file whose tail will never be completed: a damaged event
/// size field mid-file, one beyond `--max-event-size`, a transaction cut before its commit. It
/// must not wait forever: a damaged size is an error once the server has started the next file
/// (at once when the size is beyond the limit), and a cut transaction is left behind as without
/// `--follow`, the follower going on with the next file.
final class FollowerDamageTests: XCTestCase {
  let set = SluiceTestSupport.TestPaths.fixtureSet("mariadb-10.11")

  /// Start offset, end offset and type of each event of `path`.
  func events(_ path: String) throws -> [(offset: UInt64, end: UInt64, type: EventType)] {
    let input = try BinlogInput(path: path)
    var out: [(offset: UInt64, end: UInt64, type: EventType)] = []
    while let e = try input.next() { out.append((e.offset, e.endOffset, e.type)) }
    return out
  }

  /// A rows event in the middle of the first file (not the first event of its transaction).
  func middleRowsEvent() throws -> (offset: UInt64, end: UInt64, type: EventType) {
    let all = try events(set[0])
    let rowsTypes: [EventType] = [.writeRowsV1, .updateRowsV1, .deleteRowsV1]
    let rows = all.filter { rowsTypes.contains($0.type) }
    XCTAssertGreaterThan(rows.count, 10)
    return rows[rows.count / 2]
  }

  func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "sluice-follow-damage-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
  }

  /// `data` with the event size field of the event at `offset` set to `size`.
  func withSize(_ data: Data, at offset: UInt64, _ size: UInt32) -> Data {
    var d = data
    withUnsafeBytes(of: size.littleEndian) { d.replaceSubrange(Int(offset) + 9..<Int(offset) + 13, with: $0) }
    return d
  }

  /// Follows `dir/binlog.000001`; `onWait(n)` is called at the n-th wait (from 1). Gives up
  /// after `maxWaits` waits (the follower would have waited forever). Returns the error thrown
  /// (nil when it ended), the waits and the events visited.
  func follow(_ dir: String, maxWaits: Int = 40, onWait: @escaping (Int) throws -> Void = { _ in }) -> (
    error: Error?, waits: Int, visited: [(file: String, offset: UInt64)]
  ) {
    let follower = BinlogFollower(paths: [dir + "/binlog.000001"])
    follower.pollInterval = 0
    var waits = 0
    follower.shouldStop = { waits >= maxWaits }
    follower.onWait = {
      waits += 1
      try onWait(waits)
    }
    var visited: [(file: String, offset: UInt64)] = []
    do {
      try follower.run { w, ev in if !ev.inPayload { visited.append((binlogBaseName(w.fileName), ev.raw.offset)) } }
      return (nil, waits, visited)
    } catch {
      return (error, waits, visited)
    }
  }

  func testADamagedSizeFieldIsAnErrorOnceTheServerStartedTheNextFile() throws {
    let dir = try temporaryDirectory()
    let first = try Data(contentsOf: URL(fileURLWithPath: set[0]))
    let damaged = try middleRowsEvent()
    // A size that runs 50,000 bytes past the end of the file, under --max-event-size.
    let size = UInt32(UInt64(first.count) - damaged.offset + 50_000)
    try withSize(first, at: damaged.offset, size).write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let second = try Data(contentsOf: URL(fileURLWithPath: set[1]))
    let r = follow(dir) { n in
      // The server "rotates" at the third wait: the next file appears.
      if n == 3 { try second.write(to: URL(fileURLWithPath: dir + "/binlog.000002")) }
    }
    let error = try XCTUnwrap(r.error as? BinlogError, "the follower waited \(r.waits) times and ended without an error")
    XCTAssertEqual(error.offset, damaged.offset, error.description)
    XCTAssertTrue(error.description.contains("binlog.000001"), error.description)
    XCTAssertTrue(error.description.contains("already started binlog.000002"), error.description)
    XCTAssertLessThanOrEqual(r.waits, 4, "it gave up as soon as the next file was there")
    let firstVisited = r.visited.filter { $0.file == "binlog.000001" }
    XCTAssertFalse(firstVisited.isEmpty)
    XCTAssertFalse(firstVisited.contains { $0.offset >= damaged.offset })
  }

  func testASizeBeyondTheMaximumEventSizeIsAnErrorWithoutWaiting() throws {
    let dir = try temporaryDirectory()
    let first = try Data(contentsOf: URL(fileURLWithPath: set[0]))
    let damaged = try middleRowsEvent()
    try withSize(first, at: damaged.offset, 0xFFFF_FFF0).write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let r = follow(dir)
    let error = try XCTUnwrap(r.error as? BinlogError, "the follower waited \(r.waits) times and ended without an error")
    XCTAssertEqual(error.offset, damaged.offset, error.description)
    XCTAssertEqual(r.waits, 0, error.description)
  }

  func testATransactionCutBeforeItsCommitIsLeftBehindWhenTheNextFileStarts() throws {
    let dir = try temporaryDirectory()
    let first = try Data(contentsOf: URL(fileURLWithPath: set[0]))
    let cutAfter = try middleRowsEvent()
    // The first file ends after a rows event, its transaction without a commit (a crash).
    try first.prefix(Int(cutAfter.end)).write(to: URL(fileURLWithPath: dir + "/binlog.000001"))
    let second = try Data(contentsOf: URL(fileURLWithPath: set[1]))
    let secondEvents = try events(set[1])
    let r = follow(dir, maxWaits: 12) { n in
      if n == 2 { try second.write(to: URL(fileURLWithPath: dir + "/binlog.000002")) }
    }
    XCTAssertNil(r.error, "\(r.error.map { "\($0)" } ?? "")")
    // Everything of the first file before the cut transaction, then the whole second file.
    let firstVisited = r.visited.filter { $0.file == "binlog.000001" }
    let secondVisited = r.visited.filter { $0.file == "binlog.000002" }
    XCTAssertFalse(firstVisited.isEmpty)
    XCTAssertLessThan(firstVisited.last?.offset ?? .max, cutAfter.offset)
    XCTAssertEqual(secondVisited.map { $0.offset }, secondEvents.map { $0.offset }, "the next file is followed whole")
  }
}
