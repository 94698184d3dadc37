import CanalProtocol
import XCTest

/// canal-protocol.md §2.8: what a Canal server drops before clients see entries.
final class EntryClientFilterTests: XCTestCase {
  func entry(_ type: CanalEntryType, _ eventType: CanalEventType? = nil, time: Int64) -> MappedEntry {
    var h = CanalHeader()
    h.executeTime = time
    if let eventType { h.eventType = eventType }
    return MappedEntry(header: h, entryType: type, store: .none)
  }

  func run(_ entries: [MappedEntry], _ filter: inout EntryClientFilter<MappedEntry>) -> [MappedEntry] {
    var out: [MappedEntry] = []
    for e in entries { filter.add(e, into: &out) }
    return out
  }

  func testTransactionsWithRowsPassWholeAndGTIDAndHeartbeatAreDropped() {
    var f = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    let t: Int64 = 1_700_000_000_000
    let out = run(
      [
        entry(.gtidlog, .gtid, time: t), entry(.transactionbegin, time: t), entry(.rowdata, .insert, time: t),
        entry(.rowdata, .update, time: t), entry(.transactionend, time: t), entry(.heartbeat, .mheartbeat, time: t),
      ], &f)
    XCTAssertEqual(out.map(\.entryType), [.transactionbegin, .rowdata, .rowdata, .transactionend])
  }

  func testEmptyTransactionsAreSuppressedExceptEveryFiveSeconds() {
    var f = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    let t: Int64 = 1_700_000_000_000
    var times: [Int64] = []
    for dt: Int64 in [0, 1000, 4000, 5001, 6000, 10_002] {
      let out = run([entry(.transactionbegin, time: t + dt), entry(.transactionend, time: t + dt)], &f)
      if !out.isEmpty {
        XCTAssertEqual(out.map(\.entryType), [.transactionbegin, .transactionend])
        times.append(dt)
      }
    }
    // The first passes (the last passed one is at time 0), then one more than 5 s after it.
    XCTAssertEqual(times, [0, 5001, 10_002])
  }

  func testEveryNth8193rdEmptyTransactionPasses() {
    var f = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    let t: Int64 = 1_700_000_000_000
    var passed: [Int] = []
    for i in 0..<20_000 {
      let out = run([entry(.transactionend, time: t)], &f)
      if !out.isEmpty { passed.append(i) }
    }
    XCTAssertEqual(passed, [0, 8193, 16386])
  }

  func testNonDMLRowDataFlushesAndMariaDBGroupsWithoutBegin() {
    var f = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    let t: Int64 = 1_700_000_000_000
    // First an empty group passes (timer), then: annotate (QUERY) alone, rows + end, a lone end.
    _ = run([entry(.transactionend, time: t)], &f)
    let out = run(
      [
        entry(.rowdata, .query, time: t), entry(.rowdata, .insert, time: t), entry(.transactionend, time: t),
        entry(.transactionend, time: t + 1),
      ], &f)
    XCTAssertEqual(out.map(\.header.eventType), [.query, .insert, .compatibleproto2])
    XCTAssertEqual(out.count, 3)
  }

  func testAFullBufferLeavesTheEndAloneAsAnEmptyGroup() {
    var f = EntryClientFilter<MappedEntry>(entryOf: { $0 })
    let t: Int64 = 1_700_000_000_000
    _ = run([entry(.transactionend, time: t)], &f)  // the timer's one pass
    var input = [entry(.transactionbegin, time: t)]
    input += Array(repeating: entry(.rowdata, .insert, time: t), count: 1023)
    input.append(entry(.transactionend, time: t))
    let out = run(input, &f)
    // BEGIN + 1023 rows fill the 1024-entry buffer; the END is flushed alone and dropped.
    XCTAssertEqual(out.count, 1024)
    XCTAssertEqual(out.last?.entryType, .rowdata)
  }
}
