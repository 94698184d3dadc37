import BinlogFormat
import Foundation
import XCTest

/// Paths to the shared corpus (../shared/corpus beside the checkout) and the project fixtures.
enum TestPaths {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  static let corpus = packageRoot + "/../shared/corpus"
  static let fixtures = packageRoot + "/Fixtures"

  static func corpusFile(_ rel: String) throws -> String {
    let p = corpus + "/" + rel
    guard FileManager.default.fileExists(atPath: p) else {
      throw XCTSkip("corpus file \(rel) not found at \(p) (CI has ../shared beside the checkout)")
    }
    return p
  }

  /// MANIFEST.tsv rows as dictionaries keyed by the header names.
  static func manifest() throws -> [[String: String]] {
    let p = corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: p, encoding: .utf8) else {
      throw XCTSkip("corpus manifest not found at \(p)")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    let header = lines.removeFirst()
    return lines.map { row in
      var d: [String: String] = [:]
      for (i, h) in header.enumerated() where i < row.count { d[h] = row[i] }
      return d
    }
  }

  static let brokenCorpusFiles: Set<String> = [
    "blackbeam__rust_mysql_common/binlog_truncated_event.000001",
    "blackbeam__rust_mysql_common/binlog_truncated_prev_gtid_event.000001",
    "blackbeam__rust_mysql_common/corrupt-relay-bin.000624",
    "blackbeam__rust_mysql_common/ver_5_1-wl2325_r.001",
  ]

  static func fixtureFiles() -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    guard let dirs = try? fm.contentsOfDirectory(atPath: fixtures) else { return [] }
    for d in dirs.sorted() where d.hasPrefix("mariadb") {
      let dir = fixtures + "/" + d
      for f in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() where f.hasPrefix("binlog.0") {
        out.append(dir + "/" + f)
      }
    }
    return out
  }

  /// Runs a command and returns its stdout (and exit status).
  static func run(_ args: [String], stdinFile: String? = nil) throws -> (Int32, Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    if let stdinFile { p.standardInput = FileHandle(forReadingAtPath: stdinFile) }
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, data)
  }
}

/// A compact record of one event, safe to keep after the mapping is gone.
struct EventRecord: Equatable {
  var offset: UInt64
  var end: UInt64
  var type: EventType
  var timestamp: UInt32
  var serverID: UInt32
  var size: Int
  var flags: UInt16
  var inPayload: Bool
}

/// Walks a whole file, returning the events and the error that stopped it (if any).
func walkFile(
  _ path: String, options: ReaderOptions = ReaderOptions(), visit: ((WalkedEvent, BinlogWalker<BinlogInput>) -> Void)? = nil
) -> ([EventRecord], BinlogError?) {
  var records: [EventRecord] = []
  do {
    let input = try BinlogInput(path: path, options: options)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in
      records.append(
        EventRecord(
          offset: ev.raw.offset, end: ev.inPayload ? ev.fileEndOffset : ev.raw.endOffset, type: ev.raw.type,
          timestamp: ev.raw.header.timestamp, serverID: ev.raw.header.serverID, size: ev.raw.bytes.count,
          flags: ev.raw.header.flags, inPayload: ev.inPayload))
      visit?(ev, w)
    }
    return (records, nil)
  } catch let e as BinlogError {
    return (records, e)
  } catch {
    return (records, BinlogError(.io, "\(error)"))
  }
}
