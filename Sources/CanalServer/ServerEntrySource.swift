import BinlogFormat
import BinlogIO
import CanalProtocol
import NIOCore
import SwiftProtobuf

/// What the Canal server serves: a pull stream of Entries per destination, opened once per client.
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One Entry as the server sends it: its serialized bytes (written to clients unchanged) and the
/// header facts the server needs for filtering and batching, decoded once.
public struct PositionedEntry: Sendable, Equatable {
  /// The buffer that holds the entry as a field of `Messages` (tag 2, the Entry's length, the
  /// serialized Entry) at `fieldRange`: what a batch reply carries for it, written to the socket
  /// from this buffer (no copy into the reply). Entries built together share one (a binlog
  /// source's read); a batch writes the fields that lie side by side in one piece.
  public var chunk: ByteBuffer
  public var fieldRange: Range<Int>
  /// Length of the serialized Entry (the end of its field).
  public var size: Int
  /// The entry's `Messages` field.
  public var field: ByteBuffer { chunk.getSlice(at: fieldRange.lowerBound, length: fieldRange.count)! }
  /// The serialized `Entry`, exactly as it goes into `Messages.messages`.
  public var bytes: [UInt8] { Array(field.readableBytesView.suffix(size)) }
  public var entryType: CanalEntryType
  /// `header.eventType` (0 when absent, e.g. for TRANSACTIONBEGIN/END).
  public var eventType: CanalEventType
  public var schemaName: String
  public var tableName: String
  /// `header.executeTime` in milliseconds.
  public var executeTime: Int64
  /// Where the entry's event sits in the binlog: `header.logfileName` / `logfileOffset`.
  public var position: BinlogPosition
  /// True for a ROWDATA entry made from a rows event (its RowChange has a table id or rows), as
  /// opposed to a statement or DDL; only these and DDL entries are subject to the table filter.
  public var isRowsEvent: Bool

  /// An entry from its message; serializes it (proto3 rules, fields in tag order, §1.4).
  public init(entry: CanalEntry) throws {
    let bytes: [UInt8] = try entry.serializedBytes()
    self.init(entry: entry, bytes: bytes)
  }

  /// An entry whose serialized form is already known (e.g. read from a dump); `bytes` is served as
  /// given and must decode to `entry`.
  public init(entry: CanalEntry, bytes: [UInt8]) {
    self.chunk = Self.field(bytes)
    self.fieldRange = 0..<chunk.writerIndex
    self.size = bytes.count
    self.entryType = entry.entryType
    self.eventType = entry.header.eventType
    self.schemaName = entry.header.schemaName
    self.tableName = entry.header.tableName
    self.executeTime = entry.header.executeTime
    self.position = BinlogPosition(
      file: entry.header.logfileName, offset: UInt64(clamping: entry.header.logfileOffset))
    self.isRowsEvent =
      entry.entryType == .rowdata && RowChangeScan.isRowsEvent(entry.storeValue)
  }

  /// An entry from its serialized bytes.
  public init(serialized bytes: [UInt8]) throws {
    self.init(entry: try CanalEntry(serializedBytes: bytes), bytes: bytes)
  }

  /// An entry of a `CanalEntryStream`: its bytes as serialized there, the header facts read from
  /// the mapped entry, no decoding.
  public init(_ item: CanalStreamEntry) {
    let m = item.mapped
    self.chunk = item.chunk
    self.fieldRange = item.fieldRange
    self.size = item.size
    self.entryType = m.entryType
    self.eventType = m.header.eventType
    self.schemaName = m.header.schemaName
    self.tableName = m.header.tableName
    self.executeTime = m.header.executeTime
    // The stream's position names the same file and offset as the header (base name cached).
    self.position =
      m.header.logfileName.isEmpty
      ? BinlogPosition(file: "", offset: UInt64(clamping: m.header.logfileOffset)) : item.position
    switch m.store {
    case .encodedRowChange(let b) where m.entryType == .rowdata:
      self.isRowsEvent = b.withUnsafeBytes { RowChangeScan.isRowsEvent($0) }
    case .rowChange(let r) where m.entryType == .rowdata:
      // What the scan finds in its serialized form: field 1 non-zero, or field 12 present.
      self.isRowsEvent = r.tableID != 0 || !r.rowDatas.isEmpty
    default:
      self.isRowsEvent = false
    }
  }

  /// `bytes` as a `Messages` field (tag 2, length, bytes) in a buffer of its own.
  static func field(_ bytes: [UInt8]) -> ByteBuffer {
    var out = ByteBufferAllocator().buffer(capacity: 11 + bytes.count)
    out.writeInteger(UInt8(0x12))
    CanalServerPackets.writeVarint(UInt64(bytes.count), to: &out)
    out.writeBytes(bytes)
    return out
  }

  /// Equal entries: the same field bytes and header facts, wherever their buffers are.
  public static func == (a: PositionedEntry, b: PositionedEntry) -> Bool {
    a.size == b.size && a.field == b.field && a.entryType == b.entryType && a.eventType == b.eventType
      && a.schemaName == b.schemaName && a.tableName == b.tableName && a.executeTime == b.executeTime
      && a.position == b.position && a.isRowsEvent == b.isRowsEvent
  }

  /// The entry fields of `entries`, in order, as the fewest buffers: fields that lie side by side
  /// in one chunk become one slice of it (what a batch reply writes).
  static func fieldRuns(_ entries: [PositionedEntry]) -> [ByteBuffer] {
    var runs: [ByteBuffer] = []
    var i = 0
    while i < entries.count {
      let chunk = entries[i].chunk
      let base = chunk.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
      let start = entries[i].fieldRange.lowerBound
      var end = entries[i].fieldRange.upperBound
      i += 1
      while i < entries.count, entries[i].fieldRange.lowerBound == end,
        entries[i].chunk.withUnsafeReadableBytes({ UnsafeRawPointer($0.baseAddress) }) == base
      {
        end = entries[i].fieldRange.upperBound
        i += 1
      }
      runs.append(chunk.getSlice(at: start, length: end - start)!)
    }
    return runs
  }

  /// The name Canal's table filter sees: `schema.table`.
  public var qualifiedTableName: String { schemaName + "." + tableName }
}

/// A pull stream of entries in binlog order, read by one client identity at a time.
///
/// The server opens one source per client identity (destination + client id) at its first
/// subscription, so every client reads the destination from its beginning. Calls come from one
/// thread at a time, though not always the same thread.
public protocol CanalEntrySource: AnyObject {
  /// Up to `max` (≥ 1) next entries, in order. An empty result means nothing is available now;
  /// `isFinished` says whether more can ever come. A thrown error ends the stream for that client
  /// (each later GET answers with it).
  func next(max: Int) throws -> [PositionedEntry]

  /// As `next(max:)`, and no more entries once their bytes reach `bytes` (at least one entry,
  /// or one event's entries, when any is available). Sources that cannot stop by size return
  /// `next(max:)`.
  func next(max: Int, bytes: Int) throws -> [PositionedEntry]

  /// True once every entry has been returned (finite input). A source that follows a growing
  /// input returns false; the server then honours GET timeouts by polling `next`.
  var isFinished: Bool { get }
}

extension CanalEntrySource {
  public func next(max: Int, bytes: Int) throws -> [PositionedEntry] { try next(max: max) }
}

/// A destination name and how to open a fresh stream of its entries.
public struct CanalDestination: Sendable {
  public var name: String
  public var openSource: @Sendable () throws -> any CanalEntrySource

  public init(name: String, openSource: @escaping @Sendable () throws -> any CanalEntrySource) {
    self.name = name
    self.openSource = openSource
  }
}

/// Entries held in memory; optionally still growing (`append`, `finish`).
public final class CanalEntryArraySource: CanalEntrySource, @unchecked Sendable {
  private let lock = PosixLock()
  private var entries: [PositionedEntry]
  private var nextIndex = 0
  private var finished: Bool

  /// A finished source over `entries`, or an open one that waits for `append`/`finish`.
  public init(_ entries: [PositionedEntry], finished: Bool = true) {
    self.entries = entries
    self.finished = finished
  }

  public func next(max: Int) throws -> [PositionedEntry] {
    lock.lock()
    defer { lock.unlock() }
    let end = Swift.min(entries.count, nextIndex + Swift.max(max, 1))
    let slice = Array(entries[nextIndex..<end])
    nextIndex = end
    return slice
  }

  public var isFinished: Bool {
    lock.lock()
    defer { lock.unlock() }
    return finished && nextIndex == entries.count
  }

  /// Adds entries to an open source.
  public func append(_ more: [PositionedEntry]) {
    lock.lock()
    entries.append(contentsOf: more)
    lock.unlock()
  }

  /// Marks the end of the input.
  public func finish() {
    lock.lock()
    finished = true
    lock.unlock()
  }
}

/// Entries from files of varint-delimited serialized Entries (`EntryFraming`), one file after the
/// other. Each file is mapped when the stream reaches it.
public final class CanalEntryDumpSource: CanalEntrySource {
  public let paths: [String]
  public let maxMessageSize: Int
  private var fileIndex = 0
  private var bytes = Data()
  private var offset = 0
  private var loaded = false
  private var failure: (any Error)?

  public init(paths: [String], maxMessageSize: Int = 64 << 20) {
    self.paths = paths
    self.maxMessageSize = maxMessageSize
  }

  public func next(max: Int) throws -> [PositionedEntry] {
    if let failure {
      throw failure
    }
    var out: [PositionedEntry] = []
    do {
      try read(max: max, into: &out)
    } catch {
      // Hand out what was read before the failure; the next call throws.
      failure = error
      if out.isEmpty { throw error }
    }
    return out
  }

  private func read(max: Int, into out: inout [PositionedEntry]) throws {
    while out.count < Swift.max(max, 1) {
      if !loaded {
        guard fileIndex < paths.count else { break }
        bytes = try Self.readFile(paths[fileIndex])
        offset = 0
        loaded = true
      }
      if offset >= bytes.count {
        bytes = Data()
        loaded = false
        fileIndex += 1
        continue
      }
      let path = paths[fileIndex]
      let frame: [UInt8] = try bytes.withUnsafeBytes { raw throws -> [UInt8] in
        var reader = EntryFrameReader(
          UnsafeRawBufferPointer(rebasing: raw[offset...]), maxMessageSize: maxMessageSize)
        do throws(EntryFramingError) {
          guard let body = try reader.nextFrame() else { return [] }
          offset += reader.offset
          return Array(body)
        } catch {
          throw CanalDumpError(path: path, offset: offset + error.offset, message: error.message)
        }
      }
      do {
        out.append(try PositionedEntry(serialized: frame))
      } catch {
        throw CanalDumpError(
          path: path, offset: offset - frame.count, message: "frame is not a valid Entry: \(error)")
      }
    }
  }

  public var isFinished: Bool { fileIndex >= paths.count }

  static func readFile(_ path: String) throws -> Data {
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw CanalDumpError(
        path: path, offset: 0, message: "cannot read: \(error)")
    }
  }
}

/// A dump file that cannot be read or holds a broken frame.
public struct CanalDumpError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var offset: Int
  public var message: String
  public var description: String { "\(path): Entry stream at offset \(offset): \(message)" }
}

/// Reads just enough of a serialized `RowChange` to tell a rows event from a statement.
enum RowChangeScan {
  /// True when field 1 (tableId) is non-zero or field 12 (rowDatas) is present.
  static func isRowsEvent(_ storeValue: Data) -> Bool {
    storeValue.withUnsafeBytes { isRowsEvent($0) }
  }

  static func isRowsEvent(_ raw: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    func varint() -> UInt64? {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while i < raw.count, shift < 64 {
        let b = raw[i]
        i += 1
        value |= UInt64(b & 0x7F) << shift
        if b < 0x80 { return value }
        shift += 7
      }
      return nil
    }
    while i < raw.count {
      guard let key = varint() else { return false }
      let field = key >> 3
      switch key & 7 {
      case 0:
        guard let v = varint() else { return false }
        if field == 1 && v != 0 { return true }
      case 1: i += 8
      case 5: i += 4
      case 2:
        if field == 12 { return true }
        guard let n = varint(), n <= UInt64(raw.count - i) else { return false }
        i += Int(n)
      default: return false
      }
    }
    return false
  }
}
