import BinlogFormat
import BinlogQuery
import BinlogSchema
import CanalProtocol
import CanalServer
import Foundation
import SluiceTestSupport
import XCTest

/// The serve path (`sluice serve`): starting at the second file, the DDL of the first comes from
/// its index, and the old-format widths with it.
final class CanalServeOldTemporalTests: XCTestCase {
  func testServingFromTheSecondFileUsesTheIndexedDDL() throws {
    let fixture = TestPaths.fixtures + "/mariadb-10.11-oldtemporal"
    guard let data = FileManager.default.contents(atPath: fixture + "/expected-tables.json") else {
      throw XCTSkip("no fixture mariadb-10.11-oldtemporal")
    }
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var paths: [String] = []
    for name in ["binlog.000001", "binlog.000002"] {
      try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: dir + "/" + name)
      paths.append(dir + "/" + name)
    }
    let source = try CanalBinlogEntrySource(
      paths: paths, options: quietOptions(forClients: false), readerOptions: ReaderOptions(),
      start: CanalStartPoint(position: BinlogPosition(file: "binlog.000002", offset: 4)), schema: SchemaTimeline(),
      indexDir: dir)
    var rows: [String: [String: String]] = [:]
    while true {
      let batch = try source.next(max: 64)
      if batch.isEmpty { break }
      for e in batch where e.tableName == "t_mixed" && e.entryType == .rowdata {
        let change = try CanalRowChange(serializedBytes: try CanalEntry(serializedBytes: e.bytes).storeValue)
        for r in change.rowDatas where !r.afterColumns.isEmpty {
          var byName: [String: String] = [:]
          for c in r.afterColumns where !c.isNull { byName[c.name] = c.value }
          if let id = byName["id"] { rows[id] = byName }
        }
      }
    }
    let doc = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    let t = (doc["tables"] as! [[String: Any]]).first { $0["table"] as? String == "t_mixed" }!
    let cols = (t["columns"] as! [[String: Any]]).map { $0["name"] as! String }
    var compared = 0
    for row in t["rows"] as! [[Any]] {
      let values = Dictionary(uniqueKeysWithValues: zip(cols, row))
      let id = "\(values["id"]!)"
      for c in ["at", "dur"] {
        XCTAssertEqual(rows[id]?[c], values[c] as? String, "t_mixed id \(id) column \(c)")
        compared += 1
      }
    }
    XCTAssertEqual(compared, 8)
  }
}
