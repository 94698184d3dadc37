import BinlogFormat
import Foundation
import XCTest

@testable import BinlogArchive

/// Paths to the shared corpus (../shared/corpus beside the checkout) and the project fixtures.
enum ArchivePaths {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  static let corpus = packageRoot + "/../shared/corpus"
  static let fixtures = packageRoot + "/Fixtures"

  /// Every fixture binlog (Fixtures/*/binlog.0*).
  static func fixtureFiles() -> [String] {
    let fm = FileManager.default
    var out: [String] = []
    for d in ((try? fm.contentsOfDirectory(atPath: fixtures)) ?? []).sorted() {
      let dir = fixtures + "/" + d
      for f in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() where f.hasPrefix("binlog.0") {
        out.append(dir + "/" + f)
      }
    }
    return out
  }

  /// Every corpus file named in MANIFEST.tsv except gzip ones; skips when the corpus is absent.
  static func corpusFiles() throws -> [String] {
    let p = corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: p, encoding: .utf8) else {
      throw XCTSkip("corpus manifest not found at \(p) (CI has ../shared beside the checkout)")
    }
    return text.split(separator: "\n").dropFirst().compactMap { line in
      let rel = String(line.split(separator: "\t", omittingEmptySubsequences: false)[0])
      return rel.hasSuffix(".gz") ? nil : corpus + "/" + rel
    }
  }

  /// The largest fixture binlog.
  static func biggestFixture() throws -> String {
    let files = fixtureFiles()
    guard let f = files.max(by: { size($0) < size($1) }) else { throw XCTSkip("no fixtures under \(fixtures)") }
    return f
  }

  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
  }
}

/// A fresh temporary directory, removed by the test's teardown.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
  let dir = NSTemporaryDirectory() + "sluice-archive-tests-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
  return dir
}

/// Runs a command; returns its exit status and stdout.
func runCommand(_ args: [String]) throws -> (Int32, Data) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  p.arguments = args
  let out = Pipe()
  p.standardOutput = out
  p.standardError = FileHandle.nullDevice
  try p.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, data)
}

/// The path of the zstd CLI, or a skip when it is not installed.
func zstdCLI() throws -> String {
  for p in ["/usr/bin/zstd", "/usr/local/bin/zstd", "/bin/zstd"] where FileManager.default.isExecutableFile(atPath: p) {
    return p
  }
  throw XCTSkip("the zstd CLI is not installed")
}

/// One event as seen through any source, kept after the source is gone.
struct EventRecord: Equatable, CustomStringConvertible {
  var offset: UInt64
  var end: UInt64
  var type: EventType
  var size: Int
  var inPayload: Bool
  var description: String { "\(type.name)@\(offset)..\(end)\(inPayload ? "+" : "")" }
}

/// Walks `source` with BinlogWalker; returns the events and the error that stopped it.
func walkEvents<S: EventSource>(_ source: S) -> ([EventRecord], BinlogError?) {
  var records: [EventRecord] = []
  var walker = BinlogWalker(source: source)
  do {
    try walker.run { _, ev in
      records.append(
        EventRecord(
          offset: ev.raw.offset, end: ev.inPayload ? ev.fileEndOffset : ev.raw.endOffset, type: ev.raw.type,
          size: ev.raw.bytes.count, inPayload: ev.inPayload))
    }
    return (records, nil)
  } catch let e as BinlogError {
    return (records, e)
  } catch {
    return (records, BinlogError(.io, "\(error)"))
  }
}

/// Events of a plain binlog file through the mapped reader.
func walkPlain(_ path: String) -> ([EventRecord], BinlogError?) {
  do {
    let file = try MappedFile(path: path)
    return walkEvents(try MappedBinlogReader(file: file, name: binlogBaseName(path)))
  } catch {
    return ([], error)
  }
}

/// Writes a seekable archive of `bytes` cut at exactly the given uncompressed offsets (frames
/// may split events), as another tool could; returns the archive's bytes.
func seekableArchive(of bytes: [UInt8], cuts: [Int], checksums: Bool = true) throws -> [UInt8] {
  let compressor = try FrameCompressor(level: 1, maxFrameSize: bytes.count)
  var table = ZstdSeekTable(checksums: checksums)
  var out: [UInt8] = []
  var start = 0
  for end in cuts + [bytes.count] where end > start {
    let frame = try bytes.withUnsafeBytes { try compressor.compress(UnsafeRawBufferPointer(rebasing: $0[start..<end])).get() }
    out += frame.bytes
    table.append(compressedSize: UInt32(frame.bytes.count), decompressedSize: frame.decompressedSize, checksum: frame.checksum)
    start = end
  }
  return out + table.encoded()
}

func readBytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}
