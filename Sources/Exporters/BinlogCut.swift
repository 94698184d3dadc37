import BinlogFormat
import BinlogIO
import BinlogIndex

/// `query --format binlog`: the matching transactions as a binlog file of their own. The output
/// is the binlog magic, the source's Format_description event, then each transaction's events
/// byte for byte as in the source: same headers (their next-position fields still name the
/// source file's offsets, so every event says where it came from), same CRC32s. A transaction
/// from a file whose Format_description differs from the last one written is preceded by its
/// own. Nothing is decoded: events are framed (and their checksums verified, unless turned off)
/// and their bytes copied from the mapping, or from the archive frames, to the sink.
public final class BinlogCut {
  let sink: OutputSink
  private var wroteMagic = false
  private var lastFormat: [UInt8] = []
  private var formatOf = ""
  /// Transactions read but not written yet: consecutive ones of a mapped file are written as
  /// one range, straight from the mapping (one write for a whole window, no copy through the
  /// sink's buffer).
  private var pendingInput: BinlogInput?
  private var pending: Range<Int> = 0..<0

  public init(sink: OutputSink) { self.sink = sink }

  /// Whether anything was written (the magic comes first).
  public var isEmpty: Bool { !wroteMagic }

  /// For a query that matched nothing: the magic and `src`'s Format_description alone, so the
  /// cut is still a binlog every reader opens.
  public func writeEmpty(from src: BinlogInput) throws {
    try writeFormat(of: src)
    formatOf = src.path
  }

  /// Writes what is pending; call after the last `copy`.
  public func flush() throws {
    if let input = pendingInput, let mapped = input.mappedBytes, !pending.isEmpty {
      try sink.append(UnsafeRawBufferPointer(rebasing: mapped[pending]))
    }
    pendingInput = nil
    pending = 0..<0
  }

  /// Appends the events of `record` (`src` must be seekable).
  public func copy(_ src: BinlogInput, _ record: TransactionRecord) throws {
    if formatOf != src.path {
      try flush()
      try writeFormat(of: src)
      formatOf = src.path
    }
    try src.seek(to: record.start)
    if let mapped = src.mappedBytes {
      // Frame (and check) every event; the bytes go out with their neighbours in `flush`.
      while src.position < record.end, try src.next() != nil {}
      let range = Int(record.start)..<Swift.min(Int(src.position), mapped.count)
      if pendingInput === src && pending.upperBound == range.lowerBound {
        pending = pending.lowerBound..<range.upperBound
      } else {
        try flush()
        pendingInput = src
        pending = range
      }
      // Bound what one write holds (and what a file switch must write first).
      if pending.count >= 64 << 20 { try flush() }
    } else {
      try flush()
      while src.position < record.end, let ev = try src.next() {
        try sink.append(ev.bytes)
      }
    }
  }

  /// The magic (once), then `src`'s Format_description unless the same one was written last.
  private func writeFormat(of src: BinlogInput) throws {
    try src.seek(to: 4)
    guard let fde = try src.next(), fde.type == .formatDescription else {
      throw BinlogError(.malformed, "no Format_description event at offset 4", file: src.name, offset: 4)
    }
    var bytes = Array(fde.bytes)
    // A binlog the server still had open says so (LOG_EVENT_BINLOG_IN_USE_F): the cut is a
    // complete file, so the flag is cleared (and the event's CRC32 computed again).
    let flagsAt = 17
    if bytes.count > flagsAt + 1, bytes[flagsAt] & 0x01 != 0 {
      bytes[flagsAt] &= ~0x01
      if src.format.checksum == .crc32, bytes.count >= 4 {
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 4)])) }
        withUnsafeBytes(of: crc.littleEndian) { c in
          for i in 0..<4 { bytes[bytes.count - 4 + i] = c[i] }
        }
      }
    }
    if !wroteMagic {
      try binlogMagic.withUnsafeBytes { try sink.append($0) }
      wroteMagic = true
    }
    if bytes != lastFormat {
      try bytes.withUnsafeBytes { try sink.append($0) }
      lastFormat = bytes
    }
  }
}
