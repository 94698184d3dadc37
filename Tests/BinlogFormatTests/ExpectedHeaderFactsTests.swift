import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

/// Header-level and event-level facts of ../shared/corpus/EXPECTED.md.
final class ExpectedHeaderFactsTests: XCTestCase {
  func bodies(_ rel: String) throws -> [(EventRecord, EventBody)] {
    var out: [(EventRecord, EventBody)] = []
    let (records, error) = walkFile(try TestPaths.corpusFile(rel)) { ev, _ in
      out.append(
        (
          EventRecord(
            offset: ev.raw.offset, end: ev.raw.endOffset, type: ev.raw.type, timestamp: ev.raw.header.timestamp,
            serverID: ev.raw.header.serverID, size: ev.raw.bytes.count, flags: ev.raw.header.flags, inPayload: ev.inPayload),
          ev.body
        ))
    }
    XCTAssertNil(error)
    XCTAssertEqual(records.count, out.count)
    return out
  }

  func testBinlogTransactionSizesEndsAndFlags() throws {
    let ev = try bodies("blackbeam__rust_mysql_common/binlog_transaction.000001")
    XCTAssertEqual(ev.count, 20)
    let sizes = [94, 100, 101, 69, 92, 93, 27, 100, 101, 69, 92, 93, 72, 97, 98, 69, 92, 93, 70, 44]
    let ends: [UInt64] = [
      98, 198, 299, 368, 460, 553, 580, 680, 781, 850, 942, 1035, 1107, 1204, 1302, 1371, 1463, 1556, 1626, 1670,
    ]
    XCTAssertEqual(ev.map { $0.0.size }, sizes)
    XCTAssertEqual(ev.map { $0.0.end }, ends)
    XCTAssertEqual(ev[0].0.timestamp, 1_253_783_036)
    XCTAssertTrue(ev.dropFirst().allSatisfy { $0.0.timestamp == 1_253_783_037 && $0.0.serverID == 1 })
    for i in [3, 9, 12, 15, 18] { XCTAssertEqual(ev[i].0.flags & 0x8, 0x8, "event \(i) has SUPPRESS_USE") }
    guard case .query(let q1) = ev[1].1, case .query(let q2) = ev[2].1 else { return XCTFail("queries expected") }
    XCTAssertEqual(q1.database, "test")
    XCTAssertEqual(q1.query, "create table t1(a int) engine= innodb")
    XCTAssertEqual(q2.database, "mysql")
    XCTAssertEqual(ev[6].0.type, .xid)
    XCTAssertEqual(ev[19].0.type, .rotate)
  }

  func testRustUsFiveSevenEvents() throws {
    let rot = try bodies("rust-us__mysql-cdc-rs/5.7_04_rotate_log.bin")
    guard case .rotate(let r) = rot[2].1 else { return XCTFail("rotate expected") }
    XCTAssertEqual(r.nextFile, "mysql_bin.000002")
    XCTAssertEqual(r.position, 4)
    let iv = try bodies("rust-us__mysql-cdc-rs/5.7_05_intvar_log.bin")
    guard case .intvar(let i) = iv[8].1 else { return XCTFail("intvar expected") }
    XCTAssertEqual(i.kindName, "LAST_INSERT_ID")
    XCTAssertEqual(i.value, 0)
    let rd = try bodies("rust-us__mysql-cdc-rs/5.7_13_rand_log.bin")
    guard case .rand(let rnd) = rd[8].1 else { return XCTFail("rand expected") }
    XCTAssertEqual(rnd.seed1, 694_882_935)
    XCTAssertEqual(rnd.seed2, 292_094_996)
    let uv = try bodies("rust-us__mysql-cdc-rs/5.7_14_user_var_log.bin")
    let vars = uv[9...11].compactMap { e -> UserVarEvent? in if case .userVar(let u) = e.1 { return u } else { return nil } }
    XCTAssertEqual(vars.map { $0.name }, ["val_s", "val_i", "val_d"])
    XCTAssertEqual(vars.map { $0.valueType }, [0, 2, 4])
    XCTAssertEqual(vars.map { $0.charset }, [33, 33, 33])
    let fd = try bodies("rust-us__mysql-cdc-rs/5.7_15_format_desc_log.bin")
    XCTAssertEqual(fd.count, 3)
    guard case .formatDescription(let f) = fd[0].1 else { return XCTFail("FDE expected") }
    XCTAssertEqual(f.binlogVersion, 4)
    XCTAssertEqual(f.serverVersion, "5.7.30-log")
    XCTAssertEqual(f.createTimestamp, 1_596_175_634)
    let xid = try bodies("rust-us__mysql-cdc-rs/5.7_16_xid_log.bin")
    guard case .xid(let x) = xid[10].1 else { return XCTFail("xid expected") }
    XCTAssertEqual(x.xid, 41)
    let tm = try bodies("rust-us__mysql-cdc-rs/5.7_19_table_map_log.bin")
    guard case .tableMap(let t) = tm[8].1 else { return XCTFail("table map expected") }
    XCTAssertEqual(t.tableID, 110)
    XCTAssertEqual(t.table, "boxercrab")
    XCTAssertEqual(t.flags, 1)
    XCTAssertEqual(t.columns.map { $0.type }, [.long, .varchar])
    XCTAssertEqual(t.columns[1].meta, 160)
    let rq = try bodies("rust-us__mysql-cdc-rs/5.7_29_row_query_log.bin")
    guard case .rowsQuery(let text) = rq[8].1 else { return XCTFail("rows query expected") }
    XCTAssertEqual(text, "INSERT INTO `boxercrab` (`title`) VALUES ('hahhhhhhhhh')")
    let wr = try bodies("rust-us__mysql-cdc-rs/5.7_30_write_rows_v2_log.bin")
    guard case .rows(let w) = wr[10].1 else { return XCTFail("rows expected") }
    XCTAssertEqual(w.tableID, 111)
    XCTAssertEqual(w.columnCount, 2)
    let load = try bodies("rust-us__mysql-cdc-rs/5.7_17_18_load_log.bin")
    guard case .loadBlock(let lb) = load[4].1, case .executeLoadQuery(let el) = load[5].1 else {
      return XCTFail("load events expected")
    }
    XCTAssertEqual(lb.fileID, 1)
    XCTAssertEqual(el.query.threadID, 23)
    XCTAssertEqual(el.fileID, 1)
    XCTAssertEqual(el.startPosition, 9)
    XCTAssertEqual(el.endPosition, 37)
    XCTAssertEqual(el.query.database, "default")
  }

  func testYelpAuroraWalgAndCanalFacts() throws {
    let y = try bodies("Yelp__ybinlogp/mysql-bin.default-path")
    XCTAssertEqual(y.count - 1, 38)
    guard case .rotate(let r) = y[38].1, case .query(let q) = y[36].1 else { return XCTFail("rotate/query expected") }
    XCTAssertEqual(r.nextFile, "mysql-bin.000008")
    XCTAssertEqual(r.position, 4)
    XCTAssertEqual(y[37].0.type, .xid)
    XCTAssertEqual(q.database, "foobar")
    XCTAssertEqual(q.query, "INSERT INTO test2(x) VALUES(\"Bananas r good\")")
    let d = try bodies("Yelp__ybinlogp/mysql-bin.delayed-event")
    XCTAssertEqual(d[31].0.timestamp, 1_375_203_757)
    XCTAssertEqual(d[31].0.type, .intvar)
    let a = try bodies("osheroff__mysql-binlog-connector-java/mysql-bin.aurora-padding")
    XCTAssertEqual(a.map { $0.0.offset }, [4, 185, 216, 281, 1209])
    XCTAssertEqual(a[3].0.type.rawValue, 100)
    XCTAssertEqual(a[3].0.end, 1209)
    XCTAssertEqual(a[3].0.flags & EventHeader.flagIgnorable, EventHeader.flagIgnorable)
    XCTAssertEqual(a[4].0.type, .query)
    let w = try bodies("wal-g__wal-g/binlog_small_test")
    XCTAssertEqual(w[0].0.timestamp, 1_566_047_760)
    let c = try bodies("alibaba__canal/tsdb_mysql-bin.000003")
    XCTAssertEqual(c.prefix(4).map { $0.0.offset }, [4, 123, 154, 219])
    XCTAssertEqual(c.prefix(4).map { $0.0.type }, [.formatDescription, .previousGTIDs, .anonymousGTID, .query])
    XCTAssertEqual(c[3].0.timestamp, 1_505_467_103)
    // EXPECTED.md says canal's test starts decoding alibaba__canal/mysql-bin.000001 at 2051, "an
    // event boundary". It is not one: events start at 2016 and 2094 (as in mariadb-binlog's `# at`
    // lines). Starting there must be a clear error at 2051, never garbage or a crash.
    let m = try bodies("alibaba__canal/mysql-bin.000001")
    XCTAssertFalse(m.contains { $0.0.offset == 2051 })
    XCTAssertTrue(m.contains { $0.0.offset == 2016 && $0.0.end == 2094 })
    let input = try BinlogInput(path: try TestPaths.corpusFile("alibaba__canal/mysql-bin.000001"))
    try input.seek(to: 2051)
    XCTAssertThrowsError(try input.next()) { error in
      guard let e = error as? BinlogError else { return XCTFail("\(error)") }
      XCTAssertEqual(e.offset, 2051, "\(e)")
    }
    try input.seek(to: 2016)
    XCTAssertEqual(try input.next()?.type.rawValue, 24)  // Update_rows_v1, as mariadb-binlog lists it
  }
}
