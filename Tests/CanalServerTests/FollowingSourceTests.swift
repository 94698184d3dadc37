import BinlogFormat
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
