/// Frames events and tracks the format description; shared by the mapped and stream readers.
public struct EventFramer: Sendable {
  public var format: FormatDescription { didSet { refreshPlain() } }
  public var options: ReaderOptions { didSet { refreshPlain() } }
  public var name: String
  /// True once a Format_description or Start_v3 has been seen.
  public var haveFormat = false { didSet { refreshPlain() } }
  /// When events need nothing from `accept` but the checks a reader can do inline (a v4
  /// header, no type permutation): the common header length, else 0.
  public private(set) var plainHeaderLength = 0
  /// 4 when events carry a CRC32 trailer (with `plainHeaderLength`).
  public private(set) var plainChecksumLength = 0
  /// True when the CRC32 trailers are to be verified (with `plainHeaderLength`).
  public private(set) var plainVerify = false

  /// Set after a Format_description that says its server predates checksums: the next event
  /// goes through `accept`, which checks that it does not carry a CRC32 after all.
  private var checkNoChecksumClaim = false { didSet { refreshPlain() } }

  private mutating func refreshPlain() {
    let plain =
      haveFormat && !checkNoChecksumClaim && format.binlogVersion != 1 && format.typePermutation == nil
      && format.headerLength >= 19
    plainHeaderLength = plain ? format.headerLength : 0
    plainChecksumLength = format.checksum == .crc32 ? 4 : 0
    plainVerify = plainChecksumLength == 4 && options.verifyChecksums
  }

  /// Counts a checksum verified outside `accept` (a reader's inline path).
  @inlinable public mutating func countVerified() { checksumsVerified += 1 }
  /// Counts of checksum verifications performed (for `info`).
  public var checksumsVerified = 0

  public init(name: String, options: ReaderOptions) {
    self.name = name
    self.options = options
    // Until the first event says otherwise, assume a v4 header with no checksum.
    self.format = FormatDescription(
      binlogVersion: 4, serverVersion: "", createTimestamp: 0, headerLength: 19,
      postHeaderLengths: [], checksum: .notSupported)
  }

  /// Minimum bytes needed to learn an event's size at the current framing.
  @inlinable public var headerNeed: Int { format.binlogVersion == 1 ? 13 : 19 }

  /// Given the header bytes at `offset`, the event's size, validated against `available`.
  @inlinable public func eventSize(header h: EventHeader, offset: UInt64, available: Int) throws(BinlogError) -> Int {
    let size = Int(h.eventSize)
    let minimum = haveFormat ? format.headerLength : 19
    if size < minimum {
      throw BinlogError(
        .malformed, "event size \(size) is smaller than the \(minimum)-byte event header",
        file: name, offset: offset, eventType: h.type)
    }
    if UInt64(size) > options.maxEventSize {
      throw BinlogError(
        .malformed, "event of \(size) bytes is larger than --max-event-size (\(options.maxEventSize) bytes)",
        file: name, offset: offset, eventType: h.type)
    }
    if size > available {
      throw BinlogError(
        .truncated,
        "event of \(size) bytes runs past the end of the input (\(available) bytes left): file truncated mid-event",
        file: name, offset: offset, eventType: h.type)
    }
    return size
  }

  /// Checks the event and updates the format when it is a format event. `bytes` is the whole event.
  public mutating func accept(offset: UInt64, header inHeader: EventHeader, bytes: UnsafeRawBufferPointer) throws(BinlogError)
    -> RawEvent
  {
    var header = inHeader
    if let perm = format.typePermutation { header.type = EventType(perm[Int(header.type.rawValue)]) }
    if header.type == .formatDescription {
      let fde: FormatDescription
      do {
        fde = try FormatDescription(event: bytes, headerLength: 19)
      } catch {
        throw error.with(file: name, offset: offset, eventType: header.type)
      }
      // Every server that knows checksums writes the Format_description with a CRC32 trailer,
      // even when its algorithm byte says NONE (all such files of the corpus do): verifying it
      // catches a damaged algorithm byte or server version, which would otherwise frame every
      // later event wrongly with exit 0.
      if fde.checksum != .notSupported && options.verifyChecksums {
        try verifyFDE(bytes, offset: offset, header: header)
      }
      format = fde
      haveFormat = true
      checkNoChecksumClaim = fde.checksum == .notSupported && options.verifyChecksums
      let ev = RawEvent(
        offset: offset, header: header, bytes: bytes, headerLength: 19,
        checksumLength: fde.checksum == .notSupported ? 0 : 4)
      return ev
    }
    if !haveFormat {
      if header.type == .startV3 {
        var c = ByteCursor(bytes, position: 19)
        do {
          let version = try c.u16("binlog version")
          let server = try c.fixedString(50, "server version")
          let created = try c.u32("create timestamp")
          format = .legacy(binlogVersion: version, serverVersion: server, createTimestamp: created)
          haveFormat = true
        } catch {
          throw error.with(file: name, offset: offset, eventType: header.type)
        }
      } else {
        throw BinlogError(
          .notABinlog, "the first event is \(header.type.name), not a Format_description event",
          file: name, offset: offset, eventType: header.type)
      }
    }
    if checkNoChecksumClaim {
      checkNoChecksumClaim = false
      // A pre-checksum server's events end with their data; a valid CRC32 trailer (a 1 in 2^32
      // chance otherwise) means the Format_description's server version was damaged.
      if bytes.count >= format.headerLength + 4 {
        let n = bytes.count - 4
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        if CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) == stored {
          throw BinlogError(
            .malformed,
            "this event carries a CRC32 trailer, but the Format_description (server version \(quotedVersion(format.serverVersion))) says the server predates checksums: the Format_description is damaged (use --no-verify-checksum to read anyway)",
            file: name, offset: offset, eventType: header.type)
        }
      }
    }
    let hasCRC = format.checksum == .crc32
    if hasCRC {
      if bytes.count < format.headerLength + 4 {
        throw BinlogError(.truncated, "event too short for its CRC32 trailer", file: name, offset: offset, eventType: header.type)
      }
      if options.verifyChecksums {
        let n = bytes.count - 4
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        if stored != actual {
          throw BinlogError(
            .checksumMismatch,
            "CRC32 mismatch: stored 0x\(hex32(stored)), computed 0x\(hex32(actual)) (use --no-verify-checksum to read anyway)",
            file: name, offset: offset, eventType: header.type)
        }
        checksumsVerified += 1
      }
    }
    return RawEvent(
      offset: offset, header: header, bytes: bytes, headerLength: format.headerLength,
      checksumLength: hasCRC ? 4 : 0)
  }

  private mutating func verifyFDE(_ bytes: UnsafeRawBufferPointer, offset: UInt64, header: EventHeader) throws(BinlogError) {
    let n = bytes.count - 4
    let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n, as: UInt32.self))
    let asIs = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
    if stored == asIs {
      checksumsVerified += 1
      return
    }
    // The server computes the FDE's CRC with LOG_EVENT_BINLOG_IN_USE_F cleared, then sets the
    // flag in the file while it is open: recompute with bit 0 of the flags byte (offset 17) cleared.
    var crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<17]))
    withUnsafeBytes(of: bytes[17] & 0xFE) { crc = CRC32.checksum($0, continuing: crc) }
    crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[18..<n]), continuing: crc)
    if stored != crc {
      throw BinlogError(
        .checksumMismatch,
        "CRC32 mismatch: stored 0x\(hex32(stored)), computed 0x\(hex32(asIs)) (use --no-verify-checksum to read anyway)",
        file: name, offset: offset, eventType: header.type)
    }
    checksumsVerified += 1
  }
}

/// A server version for a message: printable ASCII kept, other bytes as \xNN.
func quotedVersion(_ s: String) -> String {
  var out = "\""
  for b in s.utf8 {
    if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += "\\x" + String(b, radix: 16) }
  }
  return out + "\""
}

@usableFromInline package func hex32(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return String(repeating: "0", count: 8 - s.count) + s
}
