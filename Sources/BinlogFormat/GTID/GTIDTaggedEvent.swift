/// GTID_TAGGED_LOG_EVENT (42, MySQL 8.3+): the GTID event of a transaction whose GTID has a tag.
///
/// The body is one message in MySQL's serialization format (see `SerializationCursor`):
/// format version 1, total size, last non-ignorable field id, then these fields, each as
/// `varint id, value`, ids ascending, optional ones omitted:
///
///     0 gtid_flags (u8)           4 last_committed (signed)    8 transaction_length
///     1 uuid (16 × u8 varints)    5 sequence_number (signed)   9 immediate_server_version (u32)
///     2 gno (signed)              6 immediate_commit_ts (µs)  10 original_server_version (u32)
///     3 tag (varint length ≤ 32,  7 original_commit_ts (µs)   11 commit_group_ticket
///       then bytes)
///
/// A missing original timestamp / server version equals the immediate one (as in types 33/34).
/// Unlike type 33 the timestamps are full 64-bit varints with no flag bit. Unknown fields after
/// id 11 are skipped unless the message marks them non-ignorable, which is `.unsupported`.
@dynamicMemberLookup
public struct GTIDTaggedEvent: Hashable, Sendable {
  /// All fields, in the same shape as an untagged GTID event; `event.tag` is the tag.
  public var event: GTIDEvent

  /// The GTID tag, lowercase; empty only if the event carried none.
  public var tag: String { event.tag ?? "" }

  public subscript<T>(dynamicMember keyPath: KeyPath<GTIDEvent, T>) -> T { event[keyPath: keyPath] }

  public init(event: GTIDEvent) { self.event = event }

  /// Decodes the body of a GTID_TAGGED event (after the common header, without the CRC32).
  public init(parsing body: UnsafeRawBufferPointer) throws(BinlogError) {
    var header = SerializationCursor(ByteCursor(body))
    let version = try header.varUInt("serialization format version")
    guard version == 1 else {
      throw BinlogError(
        .unsupported, "GTID_TAGGED event uses serialization format version \(version); only 1 is known",
        innerOffset: 0)
    }
    let sizeAt = header.position
    let size = try header.varUInt("message size")
    let lastNonIgnorable = try header.varUInt("last non-ignorable field id")
    guard size <= UInt64(body.count) else {
      throw BinlogError(
        .truncated, "GTID_TAGGED message claims \(size) bytes but the body has \(body.count)", innerOffset: sizeAt)
    }
    guard Int(size) >= header.position else {
      throw BinlogError(.malformed, "GTID_TAGGED message size \(size) is smaller than its header", innerOffset: sizeAt)
    }
    // MySQL refuses a message whose non-ignorable fields go past the ones it knows (ids 0...11).
    guard lastNonIgnorable <= 12 else {
      throw BinlogError(
        .unsupported, "GTID_TAGGED event has unknown non-ignorable field \(lastNonIgnorable - 1)", innerOffset: sizeAt)
    }
    // Fields are read from a cursor that ends where the message ends.
    let message = UnsafeRawBufferPointer(rebasing: body[0..<Int(size)])
    var m = SerializationCursor(ByteCursor(message, position: header.position))

    var flags: UInt8 = 0
    if m.field(0) { flags = UInt8(try m.varUInt(max: 0xff, "gtid_flags")) }
    guard m.field(1) else {
      throw BinlogError(.malformed, "GTID_TAGGED event has no UUID field", innerOffset: m.position)
    }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for i in 0..<16 {
      let byte = try m.varUInt(max: 0xff, "UUID byte")
      if i < 8 { high = (high << 8) | byte } else { low = (low << 8) | byte }
    }
    let sid = UUID128(high: high, low: low)
    guard m.field(2) else {
      throw BinlogError(.malformed, "GTID_TAGGED event has no GNO field", innerOffset: m.position)
    }
    let gnoAt = m.position
    let gno = try m.varInt("GNO")
    guard gno >= 1, gno <= MySQLGTID.maxGNO else {
      throw BinlogError(.malformed, "GTID_TAGGED event has invalid GNO \(gno)", innerOffset: gnoAt)
    }
    var tag: String?
    if m.field(3) {
      let tagAt = m.position
      let length = try m.varUInt(max: UInt64(GTIDTextScanner.maxTagLength), "tag length")
      let text = try m.cursor.string(Int(length), "tag")
      if !text.isEmpty {
        guard MySQLGTID.isValidTag(text) else {
          throw BinlogError(.malformed, "GTID_TAGGED event has invalid tag \"\(text)\"", innerOffset: tagAt)
        }
        tag = text.lowercased()
      }
    }
    var lastCommitted: Int64?
    var sequenceNumber: Int64?
    if m.field(4) { lastCommitted = try m.varInt("last_committed") }
    if m.field(5) { sequenceNumber = try m.varInt("sequence_number") }
    var clock: GTIDEvent.LogicalClock?
    if lastCommitted != nil || sequenceNumber != nil {
      clock = GTIDEvent.LogicalClock(lastCommitted: lastCommitted ?? 0, sequenceNumber: sequenceNumber ?? 0)
    }
    var immediateTS: UInt64?
    var originalTS: UInt64?
    if m.field(6) { immediateTS = try m.varUInt("immediate_commit_timestamp") }
    if m.field(7) { originalTS = try m.varUInt("original_commit_timestamp") }
    var length: UInt64?
    if m.field(8) { length = try m.varUInt("transaction_length") }
    var immediateVersion: UInt32?
    var originalVersion: UInt32?
    if m.field(9) { immediateVersion = UInt32(try m.varUInt(max: 0xffff_ffff, "immediate_server_version")) }
    if m.field(10) { originalVersion = UInt32(try m.varUInt(max: 0xffff_ffff, "original_server_version")) }
    var ticket: UInt64?
    if m.field(11) { ticket = try m.varUInt("commit_group_ticket") }

    event = GTIDEvent(
      flags: flags, sid: sid, tag: tag, gno: gno, logicalClock: clock,
      immediateCommitTimestamp: immediateTS, originalCommitTimestamp: originalTS ?? immediateTS,
      transactionLength: length, immediateServerVersion: immediateVersion,
      originalServerVersion: originalVersion ?? immediateVersion, commitGroupTicket: ticket)
  }
}
