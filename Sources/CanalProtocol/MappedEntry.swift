import BinlogFormat
import BinlogQuery
import SwiftProtobuf

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One Canal entry before serialization: the header, the entry type and the decoded store value.
/// Exporters that need the row data (flat JSON) read it here instead of re-parsing `storeValue`.
public struct MappedEntry: Sendable {
  public enum Store: Sendable {
    case none
    case begin(CanalTransactionBegin)
    case end(CanalTransactionEnd)
    case rowChange(CanalRowChange)
    case pair(CanalPair)
    /// A RowChange already serialized (`EntryMapper.encodeRowsDirectly`); `rowChange` is nil.
    case encodedRowChange([UInt8])
  }

  public var header: CanalHeader
  public var entryType: CanalEntryType
  public var store: Store

  public init(header: CanalHeader, entryType: CanalEntryType, store: Store) {
    self.header = header
    self.entryType = entryType
    self.store = store
  }

  public var rowChange: CanalRowChange? {
    if case .rowChange(let r) = store { return r }
    return nil
  }

  /// The protobuf Entry as Canal writes it.
  public func entry() throws -> CanalEntry {
    var e = CanalEntry()
    e.header = header
    e.entryType = entryType
    switch store {
    case .none: break
    case .begin(let b): e.storeValue = try b.serializedBytes()
    case .end(let x): e.storeValue = try x.serializedBytes()
    case .rowChange(let r):
      var bytes: [UInt8] = []
      EntryEncoding.appendRowChange(r, &bytes)
      e.storeValue = Data(bytes)
    case .pair(let p): e.storeValue = try p.serializedBytes()
    case .encodedRowChange(let b): e.storeValue = Data(b)
    }
    return e
  }

  /// The serialized Entry, the same bytes as `entry().serializedBytes()`, written directly.
  public func serializedEntry() throws -> [UInt8] {
    var out: [UInt8] = []
    try appendSerializedEntry(to: &out)
    return out
  }

  /// Appends the Entry with its varint length in front (`EntryFraming`); `scratch` is reused
  /// working space. A RowChange already serialized is copied once, straight into `out`.
  public func appendFramedEntry<O: ByteAppender>(to out: inout O, scratch: inout [UInt8]) throws {
    scratch.removeAll(keepingCapacity: true)
    guard case .encodedRowChange(let b) = store else {
      try appendSerializedEntry(to: &scratch)
      EntryEncoding.appendVarint(UInt64(scratch.count), into: &out)
      scratch.withUnsafeBytes { out.append(contentsOf: $0) }
      return
    }
    EntryEncoding.appendHeaderField(header, &scratch)
    scratch.append(0x10)
    EntryEncoding.appendVarint(UInt64(bitPattern: Int64(entryType.rawValue)), &scratch)
    let storeSize = b.isEmpty ? 0 : 1 + EntryEncoding.varintSize(UInt64(b.count)) + b.count
    EntryEncoding.appendVarint(UInt64(scratch.count + storeSize), into: &out)
    scratch.withUnsafeBytes { out.append(contentsOf: $0) }
    if !b.isEmpty {
      out.append(0x1A)
      EntryEncoding.appendVarint(UInt64(b.count), into: &out)
      b.withUnsafeBytes { out.append(contentsOf: $0) }
    }
  }

  /// Appends the serialized Entry (no length prefix).
  public func appendSerializedEntry(to out: inout [UInt8]) throws {
    EntryEncoding.appendHeaderField(header, &out)
    out.append(0x10)
    EntryEncoding.appendVarint(UInt64(bitPattern: Int64(entryType.rawValue)), &out)
    var store: [UInt8] = []
    switch self.store {
    case .none: break
    case .begin(let b):
      // Begin, End and Pair written directly: the same bytes as SwiftProtobuf's, without its
      // generic visitor (one of each per transaction).
      let size = EntryEncoding.transactionBeginSize(b)
      if size > 0 {
        out.append(0x1A)
        EntryEncoding.appendVarint(UInt64(size), &out)
        EntryEncoding.appendTransactionBegin(b, &out)
      }
      return
    case .end(let x):
      let size = EntryEncoding.transactionEndSize(x)
      if size > 0 {
        out.append(0x1A)
        EntryEncoding.appendVarint(UInt64(size), &out)
        EntryEncoding.appendTransactionEnd(x, &out)
      }
      return
    case .rowChange(let r):
      // Written in place, its length prefix patched in afterwards; an empty RowChange is omitted.
      let before = out.count
      EntryEncoding.appendDelimited(0x1A, expected: 1 << 14, &out) { EntryEncoding.appendRowChange(r, &$0) }
      if out.count - before == 2 { out.removeSubrange(before...) }
      return
    case .pair(let p): store = try p.serializedBytes()
    case .encodedRowChange(let b):
      if !b.isEmpty {
        out.append(0x1A)
        EntryEncoding.appendVarint(UInt64(b.count), &out)
        out.append(contentsOf: b)
      }
      return
    }
    if !store.isEmpty {
      out.append(0x1A)
      EntryEncoding.appendVarint(UInt64(store.count), &out)
      out.append(contentsOf: store)
    }
  }
}
