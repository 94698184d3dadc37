import BinlogFormat
import BinlogIO
import CanalProtocol
import Foundation
import SluiceTestSupport
import XCTest

/// `sluice export --format canal` of the ALTER workload recorded under binlog_row_metadata=MINIMAL,
/// given only `mariadb-dump --no-data` taken before the workload (`--schema`), equals the export
/// of the same workload recorded under FULL metadata (Tests/BinlogSchemaTests/Data/alter-workload,
/// two servers, same statements, same `SET timestamp`).
///
/// The two archives are different files, so two fields cannot be equal:
/// - `header.logfileOffset`: every Table_map under FULL carries the optional metadata block
///   (names, key, labels, charsets), so later events sit at other offsets (and the asynchronous
///   Binlog_checkpoint after a rotation can land elsewhere). Asserted instead: both offsets are
///   the start of an event of the same type with the same timestamp in their own file.
/// - the TransactionEnd `transactionId` (MariaDB's Xid, the server's query id): the MINIMAL
///   server also ran `mariadb-dump`, whose queries advanced its counter. Asserted instead: the
///   two differ by the same constant in every transaction.
/// With those two set equal, every entry is byte-identical: entry type, the rest of the header
/// (event length, time, schema/table, event type, GTID, props) and the `storeValue` (RowChange:
/// column names, isKey, mysqlType, sqlType, values, updated flags; DDL text).
final class CanalSchemaEquivalenceTests: XCTestCase {
  static let data = TestPaths.packageRoot + "/Tests/BinlogSchemaTests/Data/alter-workload"

  func binlogs(_ mode: String) throws -> [String] {
    let d = Self.data + "/" + mode
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: d), !names.isEmpty else {
      throw XCTSkip("\(d) not found")
    }
    return names.filter { $0.hasPrefix("binlog.") }.sorted().map { d + "/" + $0 }
  }

  func export(_ args: [String]) throws -> [CanalEntry] {
    guard let r = runProcess([try sluiceExecutable(), "export", "--format", "canal"] + args) else {
      XCTFail("cannot run sluice")
      return []
    }
    XCTAssertEqual(r.0, 0, "sluice export \(args): \(r.2)")
    if args.contains("--schema") { XCTAssertEqual(r.2, "", "no warnings: no mismatch, no unmodeled statement") }
    return try EntryFraming.decodeEntries(Array(r.1))
  }

  /// (event type, timestamp) of every event start, by file name and offset.
  func events(_ paths: [String]) throws -> [String: [Int64: (UInt8, UInt32)]] {
    var out: [String: [Int64: (UInt8, UInt32)]] = [:]
    for p in paths {
      var walker = BinlogWalker(source: try BinlogInput(path: p))
      let name = URL(fileURLWithPath: p).lastPathComponent
      try walker.run { _, ev in out[name, default: [:]][Int64(ev.raw.offset)] = (ev.raw.type.rawValue, ev.raw.header.timestamp) }
    }
    return out
  }

  func testMinimalWithSchemaDumpEqualsFullMetadata() throws {
    let minimal = try export(["--schema", Self.data + "/schema-before.sql"] + binlogs("minimal"))
    let full = try export(try binlogs("full"))
    let minimalEvents = try events(try binlogs("minimal"))
    let fullEvents = try events(try binlogs("full"))
    var xidShift: Int?
    XCTAssertGreaterThan(full.count, 60)
    XCTAssertEqual(minimal.count, full.count)
    var rowChanges = 0
    var namedColumns = 0
    for (k, (m, f)) in zip(minimal, full).enumerated() {
      let at = "entry \(k) (\(f.header.logfileName):\(f.header.logfileOffset) \(f.entryType) \(f.header.tableName))"
      XCTAssertEqual(m.entryType, f.entryType, at)
      let me = minimalEvents[m.header.logfileName]?[m.header.logfileOffset]
      let fe = fullEvents[f.header.logfileName]?[f.header.logfileOffset]
      XCTAssertNotNil(fe, "\(at): not an event start")
      XCTAssertEqual(me?.0, fe?.0, "\(at): event type at the two offsets")
      XCTAssertEqual(me?.1, fe?.1, "\(at): event time at the two offsets")
      // Byte for byte, with the fields the two files cannot share made equal.
      var mh = m
      mh.header.logfileOffset = f.header.logfileOffset
      if f.entryType == .transactionend {
        var mt = try CanalTransactionEnd(serializedBytes: m.storeValue)
        let ft = try CanalTransactionEnd(serializedBytes: f.storeValue)
        let shift = (Int(mt.transactionID) ?? 0) - (Int(ft.transactionID) ?? 0)
        if xidShift == nil { xidShift = shift }
        XCTAssertEqual(shift, xidShift, "\(at): Xid \(mt.transactionID) vs \(ft.transactionID)")
        mt.transactionID = ft.transactionID
        mh.storeValue = try mt.serializedData()
      } else {
        XCTAssertEqual(m.storeValue, f.storeValue, at)
      }
      XCTAssertEqual(try mh.serializedBytes() as [UInt8], try f.serializedBytes() as [UInt8], at)
      if f.entryType == .rowdata {
        let mc = try CanalRowChange(serializedBytes: m.storeValue)
        let fc = try CanalRowChange(serializedBytes: f.storeValue)
        XCTAssertEqual(mc, fc, at)
        if !fc.isDdl {
          rowChanges += 1
          for r in fc.rowDatas {
            for c in r.beforeColumns + r.afterColumns {
              XCTAssertFalse(c.name.hasPrefix("@"), "\(at): \(c.name)")
              namedColumns += 1
            }
          }
        }
      }
    }
    XCTAssertNotNil(xidShift)
    XCTAssertGreaterThan(rowChanges, 20)
    XCTAssertGreaterThan(namedColumns, 100)
  }
}
