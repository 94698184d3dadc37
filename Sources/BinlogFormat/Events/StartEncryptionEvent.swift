/// MariaDB Start_encryption (164): everything after it is encrypted.
public struct StartEncryptionEvent: Sendable {
  public var scheme: UInt8
  public var keyVersion: UInt32
  public init(event: RawEvent) throws(BinlogError) {
    var c = ByteCursor(event.body)
    scheme = try c.u8("scheme")
    keyVersion = try c.u32("key version")
  }
}
