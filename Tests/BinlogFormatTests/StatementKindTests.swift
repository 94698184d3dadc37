import BinlogFormat
import XCTest

/// Statement classification over any bytes a Query event may carry, damaged ones included.
final class StatementKindTests: XCTestCase {
  func testKeywordsAfterCommentsAndSpace() {
    XCTAssertTrue(StatementKind.isDDL(Array("/* x */ CREATE TABLE t (a int)".utf8)))
    XCTAssertTrue(StatementKind.isDDL(Array("/*!40000 ALTER TABLE t */".utf8)))
    XCTAssertFalse(StatementKind.isDDL(Array("-- c\nINSERT INTO t VALUES (1)".utf8)))
    XCTAssertEqual(QueryKind.classify(Array("  /* a */ BEGIN".utf8)), .begin)
    XCTAssertEqual(QueryKind.classify(Array("ROLLBACK TO s1".utf8)), .savepoint)
  }

  /// A comment that never closes (a truncated or damaged statement; found by the fuzzer, it
  /// read past the end of the bytes) ends the statement: no keyword, no trap.
  func testUnterminatedCommentsAndTruncatedStatements() {
    for text in ["/*", "/* never closed", "/*!", "/*!5000", "--", "#", "(", "", "/* a *", "/* a */"] {
      let q = Array(text.utf8)
      XCTAssertEqual(StatementKind.firstKeyword(q), "", text)
      XCTAssertFalse(StatementKind.isDDL(q), text)
      XCTAssertEqual(QueryKind.classify(q), .other, text)
    }
  }
}
