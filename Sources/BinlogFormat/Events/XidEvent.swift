/// Xid_event (16): the commit of an XA-capable (InnoDB) transaction.
public struct XidEvent: Sendable {
  public var xid: UInt64
  public init(event: RawEvent) throws(BinlogError) {
    let b = event.body
    guard b.count == 8 else {
      throw BinlogError(.malformed, "Xid body is \(b.count) bytes, expected 8", innerOffset: 0)
    }
    var c = ByteCursor(b)
    xid = try c.u64("xid")
  }
}

/// XA_prepare_log_event (38).
public struct XAPrepareEvent: Sendable {
  public var onePhase: Bool
  public var formatID: Int32
  public var gtrid: [UInt8]
  public var bqual: [UInt8]
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    onePhase = try c.u8("one-phase flag") != 0
    formatID = Int32(bitPattern: try c.u32("format id"))
    let g = Int(try c.u32("gtrid length"))
    let b = Int(try c.u32("bqual length"))
    guard g <= 64, b <= 64 else { throw BinlogError(.malformed, "XID lengths \(g)/\(b) exceed 64") }
    gtrid = Array(try c.bytes(g, "gtrid"))
    bqual = Array(try c.bytes(b, "bqual"))
  }
  /// `X'gtrid',X'bqual',formatID` as MySQL prints XIDs.
  public var xidText: String { "X'\(hexString(gtrid))',X'\(hexString(bqual))',\(formatID)" }
}

@usableFromInline func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
  let digits: [UInt8] = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(bytes.count * 2)
  for b in bytes {
    out.append(digits[Int(b >> 4)])
    out.append(digits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}
