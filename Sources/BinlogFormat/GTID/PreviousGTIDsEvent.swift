/// PREVIOUS_GTIDS_LOG_EVENT (35): the GTIDs logged in all earlier binlog files of the server,
/// written right after the format description event (MySQL 5.6+).
///
/// Body (MySQL's `Gtid_set::encode`, little-endian):
///
///     8      n_sids and format. Byte 7 is the format: 0 = classic, n_sids in the low 7 bytes;
///            1 = tagged (MySQL 8.3+), byte 0 is also 1 and n_sids sits in bytes 1...6.
///     per sid:
///       16   UUID
///       1-33 tag, tagged format only: varint length (see `SerializationCursor`) then bytes;
///            length 0 = untagged
///       8    n_intervals
///       16×n start (inclusive), end (exclusive), each 8 bytes; ascending, non-touching
///
/// MySQL writes the tagged format only when the set contains a tagged GTID.
public struct PreviousGTIDsEvent: Hashable, Sendable {
  public var gtids: GTIDSet
  /// True if the body used the 8.3+ tagged encoding.
  public var isTaggedFormat: Bool

  public init(gtids: GTIDSet, isTaggedFormat: Bool = false) {
    self.gtids = gtids
    self.isTaggedFormat = isTaggedFormat
  }

  /// Decodes the body (after the common header, without the CRC32). The encoding must fill the
  /// body exactly, as MySQL requires.
  public init(parsing body: UnsafeRawBufferPointer) throws(BinlogError) {
    var c = ByteCursor(body)
    let header = try c.u64("Previous_gtids sid count")
    let format = UInt8(truncatingIfNeeded: header >> 56)
    let sidCount: UInt64
    switch format {
    case 0:
      isTaggedFormat = false
      sidCount = header & 0x00ff_ffff_ffff_ffff
    case 1:
      isTaggedFormat = true
      sidCount = (header & 0x00ff_ffff_ffff_ff00) >> 8
    default:
      throw BinlogError(.unsupported, "Previous_gtids uses unknown GTID set format \(format)", innerOffset: 7)
    }
    // Each sid needs at least 16 + 8 bytes: reject absurd counts before looping.
    guard sidCount <= UInt64(c.remaining / 24) else {
      throw BinlogError(
        .truncated, "Previous_gtids claims \(sidCount) UUIDs but only \(c.remaining) bytes remain", innerOffset: 0)
    }
    var set = GTIDSet()
    for _ in 0..<sidCount {
      var tsid = GTIDSet.TSID(sid: try UUID128(reading: &c))
      if isTaggedFormat {
        var s = SerializationCursor(c)
        let tagAt = s.position
        let length = try s.varUInt(max: UInt64(GTIDTextScanner.maxTagLength), "tag length")
        c = s.cursor
        if length > 0 {
          let text = try c.string(Int(length), "tag")
          guard MySQLGTID.isValidTag(text) else {
            throw BinlogError(.malformed, "Previous_gtids has invalid tag \"\(text)\"", innerOffset: tagAt)
          }
          tsid.tag = text.lowercased()
        }
      }
      let countAt = c.position
      let intervalCount = try c.u64("interval count")
      guard intervalCount <= UInt64(c.remaining / 16) else {
        throw BinlogError(
          .truncated, "Previous_gtids claims \(intervalCount) intervals but only \(c.remaining) bytes remain",
          innerOffset: countAt)
      }
      var last: Int64 = 0
      for _ in 0..<intervalCount {
        let at = c.position
        let start = Int64(bitPattern: try c.u64("interval start"))
        let end = Int64(bitPattern: try c.u64("interval end"))
        // MySQL: intervals strictly ascending, non-empty, GNOs >= 1 (end is exclusive).
        guard start > last, end > start else {
          throw BinlogError(
            .malformed, "Previous_gtids interval [\(start), \(end)) of \(tsid) is empty or out of order",
            innerOffset: at)
        }
        last = end
        set.insert(start...(end - 1), for: tsid)
      }
    }
    guard c.isAtEnd else {
      throw BinlogError(
        .malformed, "Previous_gtids has \(c.remaining) bytes after the GTID set", innerOffset: c.position)
    }
    gtids = set
  }
}
