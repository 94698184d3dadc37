import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import SluiceTestSupport
import XCTest

/// The value facts of ../shared/corpus/EXPECTED.md, asserted end to end through the NDJSON exporter.
final class CorpusValueTests: XCTestCase {
  func rows(_ rel: String) throws -> [[String: Any]] {
    rowLines(try exportNDJSON([try TestPaths.corpusFile(rel)]))
  }

  /// MyISAM rows outside BEGIN/COMMIT have no xid; rows inside BEGIN..Xid carry the Xid's.
  func testXidOnlyForRowsOfTransactions() throws {
    let myisam = try rows("blackbeam__rust_mysql_common/ver_5_1_23.001")
    XCTAssertEqual(myisam.count, 5)
    XCTAssertTrue(myisam.allSatisfy { $0["xid"] is NSNull }, "\(myisam.map { $0["xid"] ?? "?" })")
    let innodb = try rows("alibaba__canal/mysql-bin.000001")
    XCTAssertEqual(innodb.first?["pos"] as? Int, 226)
    XCTAssertEqual(innodb.first?["xid"] as? Int, 59003)
  }

  func testEnumSetAndStringsWithFullMetadata() throws {
    let r = try rows("blackbeam__rust_mysql_common/mysql-enum-string-set.000001")
    XCTAssertEqual(r.map { $0["type"] as? String }, ["insert", "update", "delete"])
    let block = String(repeating: "0123456789", count: 12) + "012345678"
    let f2 = block + block + String(repeating: "0123456789", count: 4)
    XCTAssertEqual(f2.count, 298)
    let w = r[0].image("after")!
    XCTAssertEqual(w["f1"] as? String, String(repeating: "0123456789", count: 10))
    XCTAssertEqual(w["f2"] as? String, f2)
    XCTAssertEqual(w["f3"] as? String, "var1")  // ENUM index 1
    XCTAssertEqual(w["f4"] as? String, "one,three")  // SET 0b00000101
    XCTAssertEqual(w["f5"] as? String, "0123456789")
    let u = r[1]
    XCTAssertEqual(NSDictionary(dictionary: u.image("before")!), NSDictionary(dictionary: w))
    let ua = u.image("after")!
    XCTAssertEqual(ua["f1"] as? String, "field1")
    XCTAssertEqual(ua["f2"] as? String, "field_2")
    XCTAssertEqual(ua["f3"] as? String, "variant2")
    XCTAssertEqual(ua["f4"] as? String, "two,four")  // 0b00001010
    XCTAssertEqual(ua["f5"] as? String, f2)
    XCTAssertEqual(NSDictionary(dictionary: r[2].image("before")!), NSDictionary(dictionary: ua))
    XCTAssertTrue(r[2]["after"] is NSNull)
  }

  func testBitColumns() throws {
    let r = try rows("blackbeam__rust_mysql_common/mysql_type_bit.000001")
    XCTAssertEqual(r.count, 1)
    let a = r[0].image("after")!
    XCTAssertEqual(a["a"] as? Int, 0b100)
    XCTAssertEqual(a["b"] as? String, "foo")
    XCTAssertEqual(a["c"] as? Int, 0b100000)
    XCTAssertTrue(r[0]["before"] is NSNull)
  }

  func testUnsignedIntAboveInt32FromSignednessMetadata() throws {
    let r = try rows("blackbeam__rust_mysql_common/minimal_row_metadata.000001")
    XCTAssertEqual(r.count, 1)
    // mariadb-binlog lists @1, @3, @5 for this row; the 4th value of the table is @5.
    XCTAssertEqual((r[0].image("after")!["@5"] as? NSNumber)?.uint64Value, 3_230_202_323)
    XCTAssertEqual(r[0]["positional"] as? Bool, true)
  }

  func testNegativeTime() throws {
    let r = try rows("blackbeam__rust_mysql_common/time_issue.000001")
    XCTAssertEqual(r[0].image("after")!["@1"] as? String, "-507:48:27")  // -(21 days 03:48:27)
  }

  func testCompressedTransactionPayloadInnerEvents() throws {
    let path = try TestPaths.corpusFile("blackbeam__rust_mysql_common/transaction_compression.000001")
    let input = try BinlogInput(path: path)
    var walker = BinlogWalker(source: input)
    var inner: [EventType] = []
    try walker.run { _, ev in if ev.inPayload { inner.append(ev.raw.type) } }
    XCTAssertEqual(inner, [.query, .tableMap, .writeRowsV2, .xid])
    let r = try rows("blackbeam__rust_mysql_common/transaction_compression.000001")
    XCTAssertEqual(r.count, 1)
    XCTAssertEqual(r[0]["pos"] as? Int, 274)  // the payload event's offset
    XCTAssertEqual(r[0]["xid"] as? Int, 462)
  }

  func testTopLevelEventCountsOfCompressedFiles() throws {
    for (rel, n) in [
      ("osheroff__mysql-binlog-connector-java/mysql-bin.compressed", 5),
      ("apecloud__mysql-binlog-connector-rust/mysql-bin.000057", 8),
    ] {
      let input = try BinlogInput(path: try TestPaths.corpusFile(rel))
      var walker = BinlogWalker(source: input)
      var top = 0
      var payloadInner = 0
      try walker.run { _, ev in if ev.inPayload { payloadInner += 1 } else { top += 1 } }
      XCTAssertEqual(top, n, rel)
      XCTAssertGreaterThan(payloadInner, 0, rel)
    }
  }

  func testVectorColumns() throws {
    let r = try rows("blackbeam__rust_mysql_common/vector.binlog")
    let foo = r.filter { $0["table"] as? String == "foo" }
    XCTAssertGreaterThanOrEqual(foo.count, 2)
    XCTAssertEqual(foo[0]["pos"] as? Int, foo[1]["pos"] as? Int)  // one WRITE_ROWS with 2 rows
    XCTAssertEqual(foo[0].image("after")!["vector_column"] as? [Double], [1.1, 2.2, 3.3])
    XCTAssertEqual(foo[1].image("after")!["vector_column"] as? [Double], [1.0, -1.0, 0.0])
    XCTAssertEqual(foo[0]["pk"] as? [String], ["id"])
  }

  func testMariaDBFullMetadataNamesAndKey() throws {
    let r = try rows("blackbeam__rust_mysql_common/mariadb-bin.000001")
    XCTAssertFalse(r.isEmpty)
    for line in r {
      XCTAssertEqual(line["db"] as? String, "toddy_test")
      XCTAssertEqual(line["table"] as? String, "outbox")
      XCTAssertEqual(line["pk"] as? [String], ["id"])
      XCTAssertEqual(Set(line.image("after")!.keys), ["id", "topic", "event_type", "event", "created"])
    }
    // `event` has the binary collation (63): base64.
    XCTAssertEqual((r[0].image("after")!["event"] as? [String: Any])?["base64"] as? String, "eyJmb28iOjF9")
  }

  func testUpdateRowsWithBlobsFloatsAndDecimal() throws {
    let r = try rows("rust-us__mysql-cdc-rs/5.7_31_update_rows_v2_log.bin")
    XCTAssertEqual(r.count, 1)
    let b = r[0].image("before")!
    let a = r[0].image("after")!
    XCTAssertEqual(b.count, 9)
    XCTAssertEqual(b["@1"] as? Int, 1)
    for k in ["@2", "@3", "@4", "@5", "@6"] {
      XCTAssertEqual(b[k] as? String, "abc")
      XCTAssertEqual(a[k] as? String, "xd")
    }
    XCTAssertEqual(b["@7"] as? Double, 1.0)
    XCTAssertEqual(b["@8"] as? Double, 2.0)
    XCTAssertEqual(b["@9"] as? String, "3.0000")
    XCTAssertEqual(a["@7"] as? Double, 4.0)
    XCTAssertEqual(a["@8"] as? Double, 4.0)
    XCTAssertEqual(a["@9"] as? String, "4.0000")
  }

  func testIntegerTypesUpdateAndDelete() throws {
    let u = try rows("rust-us__mysql-cdc-rs/8.0_31_update_rows_v2_binlog.000001").filter { $0["type"] as? String == "update" }
    XCTAssertEqual(u.count, 1)
    let vals = { (img: [String: Any]) in (1...6).map { img["@\($0)"] as? Int } }
    XCTAssertEqual(vals(u[0].image("before")!), [1, 11, 111, 1111, 11111, 1])
    XCTAssertEqual(vals(u[0].image("after")!), [1, 22, 222, 1111, 11111, 1])
    let d = try rows("rust-us__mysql-cdc-rs/8.0_32_delete_rows_v2_binlog.000001").filter { $0["type"] as? String == "delete" }
    XCTAssertEqual(d.count, 1)
    XCTAssertEqual(vals(d[0].image("before")!), [1, 22, 222, 1111, 11111, 1])
  }

  func testDecimalTableOfSeventeenRows() throws {
    let r = try rows("go-mysql-org__go-mysql/tcb-eval002c-bin.003320")
    XCTAssertEqual(r.count, 17)
    XCTAssertEqual(r[0]["table"] as? String, "decodedecimal")
    let expect: [Int: [String]] = [
      1: [
        "-10.55", "-11", "-10.550", "-10.55", "-10.550", "-10.55", "-9.99999999999999", "-10.5500000000", "-10.55000",
        "-10.55000000000000000000", "-10.5500000000000000000000000",
      ],
      2: [
        "0.01", "0", "0.012", "0.01", "0.012", "0.01", "0.01234567890123", "0.0123456789", "0.01235", "0.01234567890123456789",
        "0.0123456789012345678912345",
      ],
      10: [
        "0.00", "0", "0.000", "0.00", "0.000", "0.00", "-0.00000001234500", "-0.0000000123", "0.00000", "-0.00000001234500009877",
        "-0.0000000123450000987650000",
      ],
      11: [
        "99.99", "99999", "9999.999", "99999999.99", "9999999.999", "99999999999.99", "9.99999999999999", "9999999999.9999999999",
        "1234500009876.50000", "9999999999.99999999999999999999", "99999.9999999999999999999999999",
      ],
      17: [
        "-99.99", "-1948", "-1948.140", "-1948.14", "-1948.140", "-1948.14", "-9.99999999999999", "-1948.1400000000",
        "-1948.14000", "-1948.14000000000000000000", "-1948.1400000000000000000000000",
      ],
    ]
    for line in r {
      let a = line.image("after")!
      guard let id = a["@1"] as? Int, let e = expect[id] else { continue }
      XCTAssertEqual((2...12).map { a["@\($0)"] as? String }, e, "row \(id)")
    }
  }

  func testRowsFromZaloraGoldens() throws {
    let r = try rows("zalora__binlog-parser/mysql-bin.01")
    let b = r.filter { $0["table"] as? String == "buildings" && $0["type"] as? String == "insert" }
    XCTAssertEqual(b.count, 2)
    XCTAssertEqual(b[0]["end"] as? Int, 397)  // BinlogPosition 397
    XCTAssertEqual(b[0]["xid"] as? Int, 9)
    XCTAssertEqual(b[0]["time"] as? String, "2017-04-13T06:34:30Z")
    XCTAssertEqual(b[0].image("after")!["@2"] as? String, "ACME Headquaters")
    XCTAssertEqual(b[1].image("after")!["@3"] as? String, "5000 North 1st Street CA 95134")
    let m = try rows("zalora__binlog-parser/mysql-bin.07")
    XCTAssertEqual(m.map { $0["end"] as? Int }, [761, 857])
    XCTAssertEqual(m.map { $0["xid"] as? Int }, [456, 456])
    XCTAssertEqual(m[0].image("after")!["@1"] as? String, "ABC")
    XCTAssertEqual(m[0].image("after")!["@2"] as? String, "DEF")
  }

  func testPerconaGTIDAndDecimal() throws {
    let r = try rows("EasyPost__rust-mysql-binlog/bin-log.000001")
    XCTAssertEqual(r[0]["gtid"] as? String, "87cee3a4-6b31-11e7-bdfd-0d98d6698870:14918")
    XCTAssertEqual(r[0]["ts"] as? Int, 1_550_192_291)
    XCTAssertEqual(r[0]["db"] as? String, "bltest")
    XCTAssertEqual(r[0]["server_id"] as? Int, 36431)
    XCTAssertEqual(r[0].image("after")!["@1"] as? Int, 1)
    XCTAssertEqual(r[0].image("after")!["@2"] as? String, "0.10000")
    let p = try rows("percona__percona-server-mysql-operator/binlog.000003")
    XCTAssertEqual(p.map { $0.image("after")!["@1"] as? Int }, [1, 2, 3])
    XCTAssertEqual(Set(p.map { $0["pos"] as? Int }).count, 1)  // one WRITE_ROWS
    XCTAssertEqual(p[0]["gtid"] as? String, "ca3ce93b-9bea-11f1-b808-e608fdb6e3c5:3")
  }

  func testFanduziUsersHistory() throws {
    let r = try rows("Fanduzi__BinlogVisualizer/minimal.binlog")
    XCTAssertEqual(r.map { $0["type"] as? String }, ["insert", "insert", "update", "delete"])
    XCTAssertEqual(r[2].image("after")!["@2"] as? String, "alice_updated")
    XCTAssertEqual(r[3].image("before")!["@1"] as? Int, 2)
    XCTAssertEqual(r[3].image("before")!["@2"] as? String, "bob")
  }

  func testOldRowsEvents() throws {
    let a = try rows("blackbeam__rust_mysql_common/bug32407.001")
    XCTAssertEqual(a.map { $0.image("after")!["@1"] as? Int }, [1, 1])
    let v2 = try rows("blackbeam__rust_mysql_common/ver_trunk_row_v2.001")
    XCTAssertEqual(v2.map { $0["type"] as? String }, ["insert", "insert", "update", "update", "delete"])
    XCTAssertEqual(v2[3].image("after")!["@1"] as? Int, 2)
    XCTAssertEqual(v2[4].image("before")!["@2"] as? String, "two")
  }

  func testMySqlCdcAllTypesRow() throws {
    let r = try rows("rusuly__MySqlCdc/mysql-bin.000001")
    XCTAssertEqual(r.count, 3)
    let a = r[0].image("after")!
    XCTAssertEqual(a["@1"] as? Int, 11)
    XCTAssertEqual(
      (2...6).map { (a["@\($0)"] as? NSNumber)?.int64Value }, [121, 12341, 1_234_561, 123_456_789, 1_234_567_890_987_654_321])
    XCTAssertEqual(Float((a["@7"] as? Double) ?? 0), Float(12345.6787109375))
    XCTAssertEqual((a["@8"] as? Double) ?? 0, 123456789.09876543, accuracy: 1e-6)
    XCTAssertEqual(a["@9"] as? String, "1234567890112233445566778899001112223334445556667778889.9900011112")
    XCTAssertEqual(a["@10"] as? String, "Bsd234234 234234 zdfsfsdfsdf")
    XCTAssertEqual(a["@11"] as? String, "Hello world!")
    XCTAssertEqual(NSDictionary(dictionary: a["@13"] as! [String: Any]), ["id": 1, "name": "John"])
    XCTAssertEqual(a["@15"] as? Int, 0b0111_10110101_01010111_10000111)
    XCTAssertEqual(a["@18"] as? Int, 1989)
    XCTAssertEqual(a["@19"] as? String, "1985-10-23")
    XCTAssertEqual(a["@20"] as? String, "1988-11-27 14:12:13.345")
    XCTAssertEqual(a["@21"] as? String, "15:22:33.67")
    XCTAssertEqual(a["@22"] as? String, "1985-10-13T10:22:23.567Z")
  }

  func testJSONDocumentsAndOpaqueValues() throws {
    let r = try rows("blackbeam__rust_mysql_common/json-opaque.binlog")
    XCTAssertEqual(r.count, 8)
    let docs = r.map { line -> String in
      let v = line.image("after")!["a"]!
      return String(
        decoding: try! JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
    XCTAssertEqual(docs[0], #"{"a":"base64:type15:VQ=="}"#)
    XCTAssertEqual(docs[1], #"{"b":"2012-03-18"}"#)
    XCTAssertEqual(docs[2], #"{"c":"2012-03-18 11:30:45.000000"}"#)
    XCTAssertEqual(docs[3], #"{"c":"87:31:46.654321"}"#)
    XCTAssertEqual(docs[6], #"{"e":[0,1,true,false]}"#)
    XCTAssertEqual(docs[7], #"{"e":null}"#)
    let j = try rows("blackbeam__rust_mysql_common/json.binlog.000001")
    let ins = j.filter { $0["type"] as? String == "insert" }
    XCTAssertEqual(ins.count, 6)
    XCTAssertEqual(
      NSDictionary(dictionary: ins[0].image("after")!["@2"] as! [String: Any]), ["age": 24, "data": "xxxxxxxxxx", "name": "Joe"])
    XCTAssertEqual(ins[2].image("after")!["@3"] as? String, "Pete")
  }

  func testEveryCorpusRowDecodes() throws {
    let manifest = TestPaths.corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw XCTSkip("no corpus") }
    let broken: Set<String> = [
      "blackbeam__rust_mysql_common/binlog_truncated_event.000001",
      "blackbeam__rust_mysql_common/binlog_truncated_prev_gtid_event.000001",
      "blackbeam__rust_mysql_common/corrupt-relay-bin.000624", "blackbeam__rust_mysql_common/ver_5_1-wl2325_r.001",
      // MariaDB 10.0 TIMESTAMP(3) in its pre-10.1 format: the binlog does not record the precision.
      "pingcap__tiflow/mysql-bin.000001",
    ]
    var files = 0
    var rowsSeen = 0
    for line in text.split(separator: "\n").dropFirst() {
      let rel = String(line.split(separator: "\t")[0])
      if broken.contains(rel) || rel.hasSuffix(".gz") { continue }
      do {
        rowsSeen += rowLines(try exportNDJSON([TestPaths.corpus + "/" + rel])).count
      } catch {
        XCTFail("\(rel): \(error)")
      }
      files += 1
    }
    XCTAssertGreaterThan(files, 95)
    XCTAssertGreaterThan(rowsSeen, 300)
  }
}
