import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

extension TestPaths {
  /// Every corpus file named in MANIFEST.tsv except gzip ones; skips when the corpus is absent.
  static func corpusFiles() throws -> [String] {
    try manifest().compactMap { $0["path"] }.filter { !$0.hasSuffix(".gz") }.map { corpus + "/" + $0 }
  }

  /// The largest fixture binlog.
  static func biggestFixture() throws -> String {
    guard let f = fixtureFiles().max(by: { size($0) < size($1) }) else { throw XCTSkip("no fixtures under \(fixtures)") }
    return f
  }
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
