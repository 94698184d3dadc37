/// The four bytes every binlog and relay log starts with: 0xFE 'b' 'i' 'n'.
public let binlogMagic: [UInt8] = [0xFE, 0x62, 0x69, 0x6E]

/// Options shared by every reader.
public struct ReaderOptions: Sendable {
  /// Verify each event's CRC32 when the format description says events carry one.
  public var verifyChecksums: Bool = true
  /// Events (and a Transaction_payload's inner events) larger than this are refused rather
  /// than allocated: the server's own limit (max_allowed_packet, slave_max_allowed_packet) is 1 GiB.
  public var maxEventSize: UInt64 = 1 << 30
  /// Read past damaged regions of a mapped binlog (`CorruptRegionScan`): whole transactions
  /// around the damage are left out, and reading picks up at the next intact transaction.
  public var skipCorrupt = false
  /// Told of each region `skipCorrupt` leaves out, once per file state and process.
  public var onSkippedRange: (@Sendable (SkippedRange) -> Void)?
  public init(verifyChecksums: Bool = true, maxEventSize: UInt64 = 1 << 30, skipCorrupt: Bool = false) {
    self.verifyChecksums = verifyChecksums
    self.maxEventSize = maxEventSize
    self.skipCorrupt = skipCorrupt
  }

  /// Parses a byte count: digits with an optional K, M or G suffix (powers of 1024).
  public static func parseByteCount(_ text: String) -> UInt64? {
    var s = Substring(text.uppercased())
    var unit: UInt64 = 1
    if s.hasSuffix("B") { s = s.dropLast() }
    if let last = s.last, let shift = ["K": 10, "M": 20, "G": 30][String(last)] {
      unit = 1 << UInt64(shift)
      s = s.dropLast()
    }
    guard let n = UInt64(s), n > 0 else { return nil }
    let (v, overflow) = n.multipliedReportingOverflow(by: unit)
    return overflow ? nil : v
  }
}
