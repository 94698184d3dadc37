import SluiceKit
import XCTest

/// What `Fixtures/workload.sql` did, read back from the binlogs MariaDB 10.11 wrote for it.
final class WorkloadTests: XCTestCase {
  /// `Fixtures/NAME`, from this file's place in the repository.
  func fixture(_ name: String) -> String {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)  // Examples/Tests/FixtureTests/WorkloadTests.swift
    return parts.joined(separator: "/") + "/Fixtures/" + name
  }

  func testTheWorkloadInsertedEightRowsIntoInts() throws {
    let binlog = try Binlog(fixture("mariadb-10.11"))
    let inserts = try binlog.rowChanges(BinlogFilter().tables("sluice_types.ints").types(.insert))
    XCTAssertEqual(inserts.compactMap { $0.after?["id"]?.int }, [1, 2, 3, 4, 5, 6, 7, 100])
    // Row 2 holds every type's maximum; BIGINT UNSIGNED's is above Int64.max.
    let max = try XCTUnwrap(inserts.first { $0.after?["id"] == 2 }?.after)
    XCTAssertEqual(max["ti"], 127)
    XCTAssertEqual(max["bi"], .int(Int64.max))
    XCTAssertEqual(max["bu"], .uint(UInt64.max))
    XCTAssertEqual(max["iz"], 4_294_967_295)
  }

  func testRowThreeWasUpdatedFromZeroToNullAndSeven() throws {
    // UPDATE ints SET tu = NULL, iz = 7 WHERE id = 3
    let binlog = try Binlog(fixture("mariadb-10.11"))
    let updates = try binlog.rowChanges(BinlogFilter().tables("sluice_types.ints").types(.update).primaryKey("id", "3"))
    XCTAssertEqual(updates.count, 1)
    let u = try XCTUnwrap(updates.first)
    XCTAssertEqual(u.primaryKey, ["id"])
    XCTAssertEqual(u.before?["tu"], 0)
    XCTAssertEqual(u.after?["tu"], nil as Value)
    XCTAssertEqual(u.before?["iz"], 0)
    XCTAssertEqual(u.after?["iz"], 7)
    XCTAssertEqual(u.changedColumns, ["tu", "iz"])
  }

  func testUpdatesAndDeleteOfInts() throws {
    let binlog = try Binlog(fixture("mariadb-10.11"))
    let changes = try binlog.rowChanges(BinlogFilter().tables("sluice_types.ints").types(.update, .delete))
    // id 4, 3, 5 (00:20), the deleted 6, then 100 by INSERT … ON DUPLICATE KEY UPDATE; the
    // UPDATE that changed nothing (id 1) wrote no row.
    XCTAssertEqual(changes.map(\.kind), [.update, .update, .update, .delete, .update])
    XCTAssertEqual(changes.compactMap { $0.keyValues?.first?.int }, [4, 3, 5, 6, 100])
    XCTAssertEqual(changes[0].after?["bu"], .uint(12_345_678_901_234_567_890))
    XCTAssertEqual(changes[3].before?["ti"], 100)
    XCTAssertEqual(changes[4].before?["ti"], 1)
    XCTAssertEqual(changes[4].after?["ti"], 2)
  }

  func testBulkTransactionsAreWholeTransactions() throws {
    let binlog = try Binlog(fixture("mariadb-10.11"))
    // A table filter also selects the table's DDL (its CREATE TABLE is a transaction of its
    // own): the row types leave the two bulk transactions.
    let bulk = try binlog.transactions(BinlogFilter().tables("sluice_bulk.events").types(.insert, .update, .delete))
    XCTAssertEqual(bulk.map { $0.rowChanges.count }, [3000, 1301])
    XCTAssertEqual(bulk[1].rowChanges.filter { $0.kind == .update }.count, 1000)
    XCTAssertEqual(bulk[1].rowChanges.filter { $0.kind == .delete }.count, 300)
    XCTAssertNotNil(bulk[0].gtid)
  }

  func testNamesFromDDLReplayEqualTheNamesOfFullMetadata() throws {
    // The same workload under binlog_row_metadata=MINIMAL (no names in the binlog: DDL replay
    // names them) and FULL (compressed events): the same transactions and values.
    let c = try Comparison(expected: fixture("mariadb-10.11-minimal"), actual: fixture("mariadb-10.11-compressed"))
    XCTAssert(c.isEqual, c.report())
    XCTAssertEqual(c.totals.expectedRowChanges, 279)
  }

  func testMinimalRowImagesDifferInTheirUpdates() throws {
    // binlog_row_image=MINIMAL logs the key in before images and the changed columns in after
    // images: the UPDATE of id 3 loses its unchanged columns.
    let full = try Binlog(fixture("mariadb-10.11-compressed")).rowChanges(BinlogFilter().tables("ints").primaryKey("id", "3"))
    let minimal = try Binlog(fixture("mariadb-10.11-minimal-image")).rowChanges(
      BinlogFilter().tables("ints").primaryKey("id", "3"))
    XCTAssertEqual(minimal.count, full.count)
    let update = try XCTUnwrap(minimal.first { $0.kind == .update })
    XCTAssertEqual(update.before?.names, ["id"])
    XCTAssertEqual(update.after?.names, ["tu", "iz"])
  }
}

/// `sluice query`'s transaction filters through the API: the same transactions as the command
/// line selects (`sluice query --start-datetime … --stop-datetime …`, `--include-gtids`,
/// `--start-position`/`--stop-position` on the same set).
final class FilterTests: XCTestCase {
  let binlog: Binlog = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return try! Binlog(parts.joined(separator: "/") + "/Fixtures/mariadb-10.11")
  }()

  func testCommitTimeWindow() throws {
    // `SET SESSION timestamp = 1709269200` (05:00): a customer, then an order whose trigger
    // writes audit_log; the next statements run at 05:30.
    let txs = try binlog.transactions(try BinlogFilter().committed(from: "2024-03-01 05:00:00", until: "2024-03-01 05:30:00"))
    XCTAssertEqual(txs.map(\.gtid), ["0-1-163", "0-1-164"])
    XCTAssertEqual(txs.map(\.commitMicros), [1_709_269_200_000_000, 1_709_269_200_000_000])
    XCTAssertEqual(txs[0].rowChanges.map(\.qualifiedTable), ["sluice_shop.customers"])
    XCTAssertEqual(txs[0].rowChanges[0].after?["email"], "late@example.com")
    XCTAssertEqual(txs[1].rowChanges.map(\.qualifiedTable), ["sluice_shop.orders", "sluice_shop.audit_log"])
    XCTAssertEqual(txs[1].rowChanges[0].after?["note"], "late order 🕔")
    // The same window in another zone.
    let shifted = try binlog.transactions(
      try BinlogFilter().committed(from: "2024-03-01 10:30:00", until: "2024-03-01 11:00:00", zone: "+05:30"))
    XCTAssertEqual(shifted.map(\.gtid), ["0-1-163", "0-1-164"])
  }

  func testGTIDAndPositionFilters() throws {
    let one = try binlog.transactions(try BinlogFilter().gtids(including: "0-1-39"))
    XCTAssertEqual(one.count, 1)
    XCTAssertEqual(one[0].location, Location(file: "binlog.000001", offset: 122_018))
    XCTAssertEqual(one[0].end, 122_403)
    XCTAssertEqual(one[0].xid, 73)
    XCTAssertEqual(one[0].rowChanges.map(\.kind), [.update])
    XCTAssertEqual(one[0].rowChanges[0].keyValues, [3])

    let range = try binlog.transactions(try BinlogFilter().positions(from: "binlog.000002:4", until: "binlog.000002:2000"))
    XCTAssertEqual(range.map { $0.location.offset }, [379, 522, 711, 1100, 1353, 1629, 1880])
    XCTAssertTrue(range.allSatisfy { $0.location.file == "binlog.000002" })
    let excluded = try binlog.transactions(
      try BinlogFilter().positions(from: "binlog.000002:4", until: "binlog.000002:2000").gtids(excluding: "0-1-92"))
    XCTAssertEqual(excluded.map(\.gtid), ["0-1-90", "0-1-91", "0-1-93", "0-1-94", "0-1-95", "0-1-96"])
  }

  func testRowFiltersKeepOnlyMatchingChangesUnlessWholeTransactions() throws {
    let late = try BinlogFilter().gtids(including: "0-1-164")
    XCTAssertEqual(try binlog.rowChanges(late.tables("orders")).map(\.table), ["orders"])
    XCTAssertEqual(try binlog.rowChanges(late.tables("orders").wholeTransactions()).map(\.table), ["orders", "audit_log"])
    XCTAssertEqual(try binlog.rowChanges(late.tables("customers")), [])
    XCTAssertEqual(try binlog.rowChanges(late.types(.delete)), [])
  }
}
