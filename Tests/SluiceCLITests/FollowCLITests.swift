import Foundation
import SluiceTestSupport
import XCTest

/// `--follow` as a user runs it: `sluice` follows a copy of the fixture set that a writer grows
/// chunk by chunk (cuts inside events; the next files appear only later), then gets SIGINT.
/// It exits 0 with exactly the output of the same command over the whole files, on stdout and
/// with `-o` (where the file appears, complete, only at the stop).
final class FollowCLITests: SluiceTestCase {
  let names = ["binlog.000001", "binlog.000002", "binlog.000003"]

  func start(_ args: [String], stdout: FileHandle) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try sluice())
    p.arguments = args
    p.standardOutput = stdout
    p.standardError = FileHandle.standardError
    try p.run()
    return p
  }

  func testExportEventsAndQueryFollowGrowingFilesUntilSIGINT() throws {
    let dir = try temporaryDirectory()
    let live = dir + "/live"
    try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
    let sources = try names.map { try Data(contentsOf: URL(fileURLWithPath: Self.fixtureDir + "/" + $0)) }
    // The first 1000 bytes: the file's opening events and the start of a transaction.
    try sources[0].prefix(1000).write(to: URL(fileURLWithPath: live + "/" + names[0]))
    let whole = names.map { Self.fixtureDir + "/" + $0 }
    let expectedExport = try run(["export", "--format", "ndjson"] + whole)
    let expectedEvents = try run(["events", "--format", "ndjson"] + whole)
    let expectedQuery = try run(["query", "--format", "ndjson", "--table", "events"] + whole)
    XCTAssertEqual(expectedQuery.status, 0, expectedQuery.stderr)
    XCTAssertGreaterThan(expectedQuery.stdout.count, 1_000_000)
    XCTAssertLessThan(expectedQuery.stdout.count, expectedExport.stdout.count)
    XCTAssertEqual(expectedExport.status, 0, expectedExport.stderr)
    XCTAssertEqual(expectedEvents.status, 0, expectedEvents.stderr)

    let exportOut = dir + "/export.ndjson"
    FileManager.default.createFile(atPath: exportOut, contents: nil)
    let exportHandle = try XCTUnwrap(FileHandle(forWritingAtPath: exportOut))
    let export = try start(["export", "--format", "ndjson", "--follow", live], stdout: exportHandle)
    let eventsFile = dir + "/events.ndjson"
    let events = try start(
      ["events", "--format", "ndjson", "--follow", "-o", eventsFile, live + "/" + names[0]], stdout: FileHandle.nullDevice)

    let queryOut = dir + "/query.ndjson"
    FileManager.default.createFile(atPath: queryOut, contents: nil)
    let queryHandle = try XCTUnwrap(FileHandle(forWritingAtPath: queryOut))
    let query = try start(["query", "--format", "ndjson", "--table", "events", "--follow", live], stdout: queryHandle)

    var sizes = [5, 18, 4093, 20, 9000, 1, 33000]
    for (k, data) in sources.enumerated() {
      var fed = k == 0 ? 1000 : 0
      let path = live + "/" + names[k]
      if k > 0 {
        usleep(300_000)  // the follower waits for the next file
        FileManager.default.createFile(atPath: path, contents: nil)
      }
      let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
      try h.seekToEnd()
      while fed < data.count {
        let n = Swift.min(sizes[0], data.count - fed)
        sizes.append(sizes.removeFirst())
        try h.write(contentsOf: data[fed..<(fed + n)])
        fed += n
        usleep(20_000)
      }
      try h.close()
    }
    // Caught up: the followed export has every line of the whole files' export.
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, (try? Data(contentsOf: URL(fileURLWithPath: exportOut)))?.count != expectedExport.stdout.count {
      usleep(100_000)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: eventsFile), "-o FILE appears when the follow stops")
    usleep(1_000_000)  // events --follow polls every 150 ms
    export.interrupt()
    events.interrupt()
    query.interrupt()
    export.waitUntilExit()
    events.waitUntilExit()
    query.waitUntilExit()
    try exportHandle.close()
    try queryHandle.close()
    XCTAssertEqual(query.terminationReason, .exit)
    XCTAssertEqual(query.terminationStatus, 0)
    let followedQuery = try Data(contentsOf: URL(fileURLWithPath: queryOut))
    XCTAssertEqual(followedQuery.count, expectedQuery.stdout.count)
    XCTAssertTrue(followedQuery == expectedQuery.stdout, "query --follow differs from the query over the whole files")
    XCTAssertEqual(export.terminationReason, .exit)
    XCTAssertEqual(export.terminationStatus, 0)
    XCTAssertEqual(events.terminationReason, .exit)
    XCTAssertEqual(events.terminationStatus, 0)
    let followedExport = try Data(contentsOf: URL(fileURLWithPath: exportOut))
    XCTAssertEqual(followedExport.count, expectedExport.stdout.count)
    XCTAssertTrue(followedExport == expectedExport.stdout, "export --follow differs from the export of the whole files")
    let followedEvents = try Data(contentsOf: URL(fileURLWithPath: eventsFile))
    XCTAssertTrue(followedEvents == expectedEvents.stdout, "events --follow -o differs from the listing of the whole files")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
    XCTAssertEqual(leftovers, [], "no temporary output left")
  }

  func testFollowRefusesStreamsAndSkipCorrupt() throws {
    let f = Self.fixtureDir + "/binlog.000002"
    let stream = try run(["export", "--follow", "-"])
    XCTAssertEqual(stream.status, 64, stream.stderr)
    XCTAssertTrue(stream.stderr.contains("--follow reads files"), stream.stderr)
    let corrupt = try run(["events", "--follow", "--skip-corrupt", f])
    XCTAssertEqual(corrupt.status, 64, corrupt.stderr)
    let flashback = try run(["export", "--follow", "--format", "sql", "--flashback", f])
    XCTAssertEqual(flashback.status, 64, flashback.stderr)
  }
}
