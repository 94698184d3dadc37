import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

/// A MySQL 8 Transaction_payload whose uncompressed transaction is over 1 GiB, built from a real
/// server's inner events (recompressed with the real `zstd`), decodes row by row while the
/// process's peak resident memory grows by less than 64 MiB: the payload is streamed, never held.
final class PayloadMemoryTests: XCTestCase {
  /// Inner events (no checksums) of the first Transaction_payload in a corpus file.
  func innerEvents(of path: String) throws -> [[UInt8]] {
    var reader = try MappedBinlogReader(file: try MappedFile(path: path), name: path)
    while let ev = try reader.next() {
      guard ev.type == .transactionPayload else { continue }
      let payload = try TransactionPayloadEvent(event: ev)
      let inner = try PayloadEventReader(
        payload: payload, outer: ev, format: reader.format, fileName: path)
      var out: [[UInt8]] = []
      while let e = try inner.next() { out.append(Array(e.bytes)) }
      return out
    }
    throw XCTSkip("no Transaction_payload in \(path)")
  }

  /// `net_store_length` packed integer.
  func packed(_ v: UInt64) -> [UInt8] {
    switch v {
    case ..<251: return [UInt8(v)]
    case ...0xFFFF: return [0xFC] + withUnsafeBytes(of: UInt16(v).littleEndian, Array.init)
    case ...0xFF_FFFF: return [0xFD] + Array(withUnsafeBytes(of: UInt32(v).littleEndian, Array.init)[0..<3])
    default: return [0xFE] + withUnsafeBytes(of: v.littleEndian, Array.init)
    }
  }

  func setUInt32(_ bytes: inout [UInt8], at i: Int, _ v: UInt32) {
    withUnsafeBytes(of: v.littleEndian) { for k in 0..<4 { bytes[i + k] = $0[k] } }
  }

  /// A /proc/self/status figure in KiB (VmHWM: peak resident set; VmRSS: current).
  func status(_ key: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") })
    else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
  }

  /// Peak resident set in KiB, after resetting it to the current one when `reset` (Linux 4.0+
  /// `clear_refs` 5). -1 when the peak cannot be reset, so a growth can't be measured.
  func peakRSSKiB(reset: Bool = false) -> Int {
    if reset {
      try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
      let hwm = status("VmHWM")
      let rss = status("VmRSS")
      return hwm > 0 && rss > 0 && hwm - rss < 8 << 10 ? hwm : -1
    }
    return status("VmHWM")
  }

  func testOneGiBUncompressedPayloadDecodesInBoundedMemory() throws {
    let source = try TestPaths.corpusFile("osheroff__mysql-binlog-connector-java/mysql-bin.compressed")
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") else {
      throw XCTSkip("the zstd CLI is not installed")
    }
    let inner = try innerEvents(of: source)
    // BEGIN, Table_map, Update_rows (one row), Xid — MySQL 8.0.28's own bytes.
    XCTAssertEqual(inner.count, 4)
    let begin = inner[0]
    let tableMap = inner[1]
    let rowsEvent = inner[2]
    let xid = inner[3]
    XCTAssertEqual(rowsEvent[4], EventType.updateRowsV2.rawValue)

    // One Update_rows event with the real row repeated to ~4 MiB.
    var rowStart = 0
    var sourceWalker = BinlogWalker(source: try BinlogInput(path: source))
    try sourceWalker.run { _, ev in
      if case .rows(let r) = ev.body { rowStart = r.rowsOffsetInEvent }
    }
    XCTAssertGreaterThan(rowStart, 19)
    let row = Array(rowsEvent[rowStart...])
    let rowsPerEvent = (4 << 20) / row.count
    var big = Array(rowsEvent[..<rowStart])
    big.reserveCapacity(rowStart + row.count * rowsPerEvent)
    for _ in 0..<rowsPerEvent { big += row }
    setUInt32(&big, at: 9, UInt32(big.count))

    let pairs = ((1 << 30) + (big.count - 1)) / big.count + 1
    let uncompressed = UInt64(begin.count + xid.count + pairs * (tableMap.count + big.count))
    XCTAssertGreaterThan(uncompressed, 1 << 30)

    // Compress the inner stream with the zstd CLI, writing it through a pipe in pieces.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-payload-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let zstPath = dir.appendingPathComponent("inner.zst").path
    let zstd = Process()
    zstd.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
    zstd.arguments = ["-q", "-1", "-c", "-"]
    let pipe = Pipe()
    zstd.standardInput = pipe
    FileManager.default.createFile(atPath: zstPath, contents: nil)
    zstd.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: zstPath))
    try zstd.run()
    let w = pipe.fileHandleForWriting
    w.write(Data(begin))
    var chunk: [UInt8] = []
    for k in 0..<pairs {
      chunk += tableMap
      chunk += big
      if chunk.count >= 16 << 20 || k == pairs - 1 {
        w.write(Data(chunk))
        chunk.removeAll(keepingCapacity: true)
      }
    }
    w.write(Data(xid))
    try w.close()
    zstd.waitUntilExit()
    XCTAssertEqual(zstd.terminationStatus, 0)
    let compressed = try Data(contentsOf: URL(fileURLWithPath: zstPath))

    // The binlog: magic, the source's Format_description / Previous_gtids / Anonymous_gtid,
    // then the new Transaction_payload with its CRC32.
    let original = try Data(contentsOf: URL(fileURLWithPath: source))
    let head = Array(original[0..<236])
    var body: [UInt8] = []
    for (type, value) in [(1, UInt64(compressed.count)), (2, 0), (3, uncompressed)] {
      let v = packed(value)
      body += [UInt8(type), UInt8(v.count)] + v
    }
    body += [0]
    var event = Array(original[236..<(236 + 19)])
    let total = 19 + body.count + compressed.count + 4
    setUInt32(&event, at: 9, UInt32(total))
    setUInt32(&event, at: 13, UInt32(236 + total))
    event += body
    event += compressed
    let crc = event.withUnsafeBytes { CRC32.checksum($0) }
    event += withUnsafeBytes(of: crc.littleEndian, Array.init)
    let binlog = dir.appendingPathComponent("big-payload.000001").path
    try Data(head + event).write(to: URL(fileURLWithPath: binlog))

    // Decode every row of every inner event.
    let baseline = peakRSSKiB(reset: true)
    var walker = BinlogWalker(source: try BinlogInput(path: binlog))
    var rows = 0
    var rowsEvents = 0
    var innerBytes: UInt64 = 0
    var sawXid = false
    try walker.run { w, ev in
      if ev.inPayload { innerBytes += UInt64(ev.raw.bytes.count) }
      switch ev.body {
      case .rows(let r):
        guard let map = w.tableMaps[r.tableID] else { return XCTFail("no table map") }
        var d = try RowDecoder(event: r, table: map)
        while try d.next() {
          rows += 1
          if rows == 1 || rows % 1_000_003 == 0 {
            guard case .string = d.after[1] else { return XCTFail("row \(rows): column 2 is \(d.after[1])") }
          }
        }
        rowsEvents += 1
      case .xid(let x):
        sawXid = true
        XCTAssertEqual(x.xid, 31)
      default: break
      }
    }
    let peak = peakRSSKiB()
    XCTAssertTrue(sawXid)
    XCTAssertEqual(rowsEvents, pairs)
    XCTAssertEqual(rows, pairs * rowsPerEvent)
    XCTAssertEqual(innerBytes, uncompressed)
    XCTAssertGreaterThan(baseline, 0, "VmHWM could not be reset; memory growth not measured")
    if baseline > 0 && peak > 0 {
      XCTAssertLessThan(
        peak - baseline, 64 << 10,
        "peak RSS grew by \(peak - baseline) KiB decoding a \(uncompressed)-byte payload")
      print("payload \(uncompressed) bytes (\(compressed.count) compressed), \(rows) rows: peak RSS +\(peak - baseline) KiB")
    }
  }
}
