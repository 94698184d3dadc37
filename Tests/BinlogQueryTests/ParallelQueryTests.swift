import BinlogFormat
import BinlogIndex
import BinlogPipeline
import BinlogQuery
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// `query` on several threads writes exactly what one thread writes: same bytes, same stats,
/// same error after the same output.
final class ParallelQueryTests: XCTestCase {
  func testThreadsWriteTheOneThreadOutput() throws {
    var sets: [[String]] = [
      TestPaths.fixtureSet("mariadb-10.11"), TestPaths.fixtureSet("mariadb-10.11-compressed"),
      TestPaths.fixtureSet("mariadb-10.11-minimal"),
    ]
    sets += TestPaths.corpusFiles().prefix(12).map { [$0] }
    var compared = 0
    var parallelRuns = 0
    for set in sets where !set.isEmpty {
      let (dir, files) = try TestPaths.scratchCopy(set)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      for f in files { _ = try IndexStore.load(path: f, indexDir: nil, persist: true) }
      for filter in try filterBattery(files).prefix(8) {
        for format in ["text", "ndjson"] {
          for rows in [false, true] {
            let schema = compared % 2 == 0
            let (one, s1) = try runQuery(files, filter, rows: rows, useIndex: true, format: format, schema: schema)
            // Batches of a few KiB and a small output allowance: many batches, workers that
            // wait for their turn.
            let (many, s2) = try runQuery(
              files, filter, rows: rows, useIndex: true, format: format, threads: 3, batchBytes: 4 << 10,
              maxBuffered: 8 << 10, schema: schema)
            XCTAssertEqual(one, many, "\(set.first!): \(filter) rows=\(rows) format=\(format)")
            XCTAssertEqual(s1.candidates, s2.candidates)
            XCTAssertEqual(s1.transactions, s2.transactions)
            XCTAssertEqual(s1.rows, s2.rows)
            compared += 1
            if s1.bytesDecoded >= 4 << 10 { parallelRuns += 1 }
          }
        }
      }
    }
    XCTAssertGreaterThan(compared, 100)
    XCTAssertGreaterThan(parallelRuns, 30, "too few queries were big enough to be cut into batches")
  }

  func testACorruptTransactionFailsAfterTheSameOutput() throws {
    let set = TestPaths.fixtureSet("mariadb-10.11")
    let (dir, files) = try TestPaths.scratchCopy(set)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = try XCTUnwrap(files.max { fileSize($0) < fileSize($1) })
    let (index, _) = try IndexStore.build(path: file)
    // Damage a byte inside a transaction two thirds into the file (its CRC32 no longer matches).
    let victim = index.transactions[index.transactions.count * 2 / 3]
    let fd = open(file, O_RDWR)
    XCTAssertGreaterThanOrEqual(fd, 0)
    var byte: UInt8 = 0
    let at = off_t(victim.start + 30)
    XCTAssertEqual(pread(fd, &byte, 1, at), 1)
    byte ^= 0x5A
    XCTAssertEqual(pwrite(fd, &byte, 1, at), 1)
    close(fd)
    // The index of the damaged file (built without checksums, as `--no-verify-checksum` would).
    let (damaged, _) = try IndexStore.build(path: file, options: ReaderOptions(verifyChecksums: false))
    try damaged.write(to: file + ".sidx")

    func outcome(threads: Int) -> (String, String) {
      let archive: IndexedBinlogs
      do { archive = try IndexedBinlogs.open(paths: [file], indexDir: nil, useIndex: true, persist: false) } catch {
        return ("", "open: \(error)")
      }
      let sink = OutputSink.memory()
      let runner = QueryRunner(archive: archive, filter: QueryFilter(), rowGranularity: false, format: .ndjson, sink: sink)
      runner.threads = threads
      runner.batchBytes = 2 << 10
      var error = "none"
      do { _ = try runner.run() } catch let e { error = "\(e)" }
      try? sink.flush()
      return (String(decoding: sink.captured, as: UTF8.self), error)
    }
    let (oneOut, oneError) = outcome(threads: 1)
    let (manyOut, manyError) = outcome(threads: 2)
    XCTAssertTrue(oneError.contains("checksum"), oneError)
    XCTAssertEqual(oneError, manyError)
    XCTAssertFalse(oneOut.isEmpty)
    XCTAssertEqual(oneOut, manyOut)
  }

  private func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  }
}
