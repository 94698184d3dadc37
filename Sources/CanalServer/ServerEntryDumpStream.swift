/// Entry dumps read as streams: plain, zstd or gzip (by their first bytes), in bounded memory.
import BinlogFormat
import BinlogIO
import CanalProtocol

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What a served input holds, decided from its content rather than its name.
public enum ServedInputKind: Equatable, Sendable {
  /// A binlog: plain, a seekable archive, or a zstd/gzip-compressed binlog.
  case binlog
  /// Varint-delimited Canal Entries (`export --format canal`), plain or compressed.
  case entryDump

  /// Looks at the first bytes of `path` (after decompression when it is zstd or gzip): the
  /// binlog magic means a binlog, anything else an Entry dump.
  public static func of(path: String) throws(BinlogError) -> ServedInputKind {
    let file = try MappedFile(path: path)
    let b = file.bytes
    if b.count >= 4 && b.prefix(4).elementsEqual(binlogMagic) { return .binlog }
    let stream = try DecompressedByteStream(input: .mapped(file), name: path)
    if stream.compression == .none { return .entryDump }
    return try stream.read(upTo: 4) == binlogMagic ? .binlog : .entryDump
  }
}

/// Entries from Entry dump files read front to back, one file after the other, each plain or
/// compressed (zstd with or without a seek table, gzip). Memory stays at one read buffer plus
/// the largest frame. Errors name the file and the frame's offset in the decompressed stream.
public final class CanalEntryDumpStreamSource: CanalEntrySource {
  public let paths: [String]
  public let maxMessageSize: Int
  private var fileIndex = 0
  private var stream: DecompressedByteStream?
  private var buffer: [UInt8] = []
  /// `buffer[start..<end]` is unread; `base` is the stream offset of `buffer[0]`.
  private var start = 0
  private var end = 0
  private var base = 0
  private var inputEnded = false
  private var failure: (any Error)?

  public init(paths: [String], maxMessageSize: Int = 64 << 20) {
    self.paths = paths
    self.maxMessageSize = maxMessageSize
  }

  public var isFinished: Bool { fileIndex >= paths.count }

  public func next(max: Int) throws -> [PositionedEntry] {
    if let failure { throw failure }
    var out: [PositionedEntry] = []
    do {
      while out.count < Swift.max(max, 1), let entry = try nextEntry() {
        out.append(entry)
      }
    } catch {
      // Hand out what was read before the failure; the next call throws.
      failure = error
      if out.isEmpty { throw error }
    }
    return out
  }

  /// The next entry of the current file, moving to the next file at the end of one.
  private func nextEntry() throws -> PositionedEntry? {
    while fileIndex < paths.count {
      if stream == nil { try open(paths[fileIndex]) }
      if let entry = try frame() { return entry }
      stream = nil
      fileIndex += 1
    }
    return nil
  }

  private func open(_ path: String) throws {
    do {
      let file = try MappedFile(path: path)
      stream = try DecompressedByteStream(input: .mapped(file), name: path)
    } catch {
      throw CanalDumpError(path: path, offset: 0, message: "cannot read: \(error.message)")
    }
    if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 20) }
    start = 0
    end = 0
    base = 0
    inputEnded = false
  }

  /// Makes at least `n` unread bytes available unless the file ends first; false if it did.
  private func fill(_ n: Int) throws -> Bool {
    if end - start >= n { return true }
    if start > 0 {
      buffer.withUnsafeMutableBytes { b in
        b.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: end - start)
      }
      base += start
      end -= start
      start = 0
    }
    if n > buffer.count { buffer += [UInt8](repeating: 0, count: n - buffer.count) }
    while end < n && !inputEnded {
      let stream = stream!
      let r: Int
      do {
        r = try buffer.withUnsafeMutableBytes { (b) throws(BinlogError) -> Int in
          try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: b[end...]))
        }
      } catch let e as BinlogError {
        throw CanalDumpError(path: paths[fileIndex], offset: base + end, message: e.message)
      }
      if r == 0 { inputEnded = true }
      end += r
    }
    return end - start >= n
  }

  /// The next frame of the current file as an entry; nil at its clean end.
  private func frame() throws -> PositionedEntry? {
    let path = paths[fileIndex]
    if !(try fill(1)) { return nil }
    // Length prefix: up to 10 bytes of varint.
    _ = try fill(10)
    let frameOffset = base + start
    var length: UInt64 = 0
    var shift: UInt64 = 0
    var i = start
    while true {
      guard i < end else {
        throw CanalDumpError(
          path: path, offset: frameOffset, message: "the stream ends inside a length prefix (\(i - start) of up to 10 bytes)")
      }
      let byte = buffer[i]
      i += 1
      guard shift < 63 || byte <= 1 else {
        throw CanalDumpError(path: path, offset: frameOffset, message: "the length prefix is longer than 10 bytes")
      }
      length |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { break }
      shift += 7
    }
    guard length <= UInt64(maxMessageSize) else {
      throw CanalDumpError(
        path: path, offset: frameOffset, message: "frame length \(length) exceeds the limit of \(maxMessageSize) bytes")
    }
    let prefix = i - start
    let count = Int(length)
    guard try fill(prefix + count) else {
      throw CanalDumpError(
        path: path, offset: frameOffset,
        message: "frame of \(count) bytes but only \(end - start - prefix) bytes remain: the dump is truncated")
    }
    let body = Array(buffer[(start + prefix)..<(start + prefix + count)])
    start += prefix + count
    do {
      return try PositionedEntry(serialized: body)
    } catch {
      throw CanalDumpError(path: path, offset: frameOffset, message: "frame is not a valid Entry: \(error)")
    }
  }
}
