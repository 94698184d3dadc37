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

/// Options of the Canal Entry mapping and of the exporters built on it.
public struct CanalOptions: Sendable {
  /// Zone TIMESTAMP values are rendered in. Canal uses its JVM's default zone and has no option
  /// for it (canal-protocol.md §2.6, §7.1); Sluice defaults to UTC.
  public var zone: TimeZoneSpec = .utc
  /// Canal with a GTID set (`gtidon=true`, or a start position carrying GTIDs) fills
  /// `Header.gtid` with the executed GTID set and, for MySQL, the props `curtGtid`,
  /// `curtGtidSn`, `curtGtidLct`. Plain Canal does not (§2.2), so the default is false. The
  /// executed set starts from the first Previous_GTIDs (MySQL) or GTID_LIST (MariaDB) event read.
  public var gtidMode = false
  /// Apply what a Canal server removes before clients see entries (§2.8): GTIDLOG and HEARTBEAT
  /// entries, and transaction groups with no ROWDATA (all but one per 5 s of binlog time or per
  /// 8192 suppressed). True by default: the output is what a Canal client receives. False gives
  /// the parser's raw output.
  public var forClients = true
  /// Canal decodes every text column as UTF-8 (`.canal`, the default); `.column` uses each
  /// column's own charset from the binlog metadata.
  public var textCharset: CanalTextCharset = .canal
  /// Integer display widths in `mysqlType` (`int(11)` vs `int`); nil: by server version
  /// (MariaDB and MySQL before 8.0.19 print them).
  public var integerDisplayWidths: Bool?
  /// Where warnings go (a table without column names, a DDL Canal would stop on); stderr by
  /// default. Each distinct warning is reported once.
  public var onWarning: @Sendable (String) -> Void = CanalOptions.warnOnStandardError

  public init() {}

  public static let warnOnStandardError: @Sendable (String) -> Void = { message in
    var line = "sluice: warning: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
  }
}
