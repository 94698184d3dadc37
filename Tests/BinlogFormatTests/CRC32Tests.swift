import BinlogFormat
import BinlogIO
import CZlib
import SluiceTestSupport
import XCTest

/// The PCLMULQDQ folding path and the table path of `CRC32` against zlib's `crc32`, and against
/// the stored checksums of real binlog events.
final class CRC32Tests: XCTestCase {
  private func zlibCRC(_ b: UnsafeRawBufferPointer, _ start: UInt32 = 0) -> UInt32 {
    guard let p = b.baseAddress else { return start }
    return UInt32(truncatingIfNeeded: crc32(UInt(start), p.assumingMemoryBound(to: UInt8.self), UInt32(b.count)))
  }

  private func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var g = SplitMix(seed)
    return (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
  }

  func testMatchesZlibForRandomLengthsAndAlignments() {
    let buf = randomBytes(70_000 + 64, seed: 1)
    var g = SplitMix(7)
    buf.withUnsafeBytes { all in
      // Every length up to 300 (both sides of the folding threshold and of each 16-byte step).
      for n in 0...300 {
        let a = Int(g.next() % 64)
        let s = UnsafeRawBufferPointer(rebasing: all[a..<(a + n)])
        XCTAssertEqual(CRC32.checksum(s), zlibCRC(s), "length \(n) at alignment \(a)")
        XCTAssertEqual(CRC32.softwareChecksum(s), zlibCRC(s), "table, length \(n) at alignment \(a)")
      }
      // Every length around the 512-byte start of the 256-byte VPCLMULQDQ blocks and two more
      // block steps, at every alignment of a 64-byte line (the 1-15 byte tail after them too).
      for n in 496...1100 {
        let a = n % 64
        let s = UnsafeRawBufferPointer(rebasing: all[a..<(a + n)])
        XCTAssertEqual(CRC32.checksum(s), zlibCRC(s), "length \(n) at alignment \(a)")
      }
      for _ in 0..<2000 {
        let n = Int(g.next() % 70_001)
        let a = Int(g.next() % 64)
        let s = UnsafeRawBufferPointer(rebasing: all[a..<(a + n)])
        XCTAssertEqual(CRC32.checksum(s), zlibCRC(s), "length \(n) at alignment \(a)")
      }
    }
  }

  func testContinuingChainsMatchOneCall() {
    let buf = randomBytes(70_000, seed: 2)
    var g = SplitMix(11)
    buf.withUnsafeBytes { all in
      for round in 0..<300 {
        let total = Int(g.next() % 70_001)
        let seed = round % 3 == 0 ? 0 : UInt32(truncatingIfNeeded: g.next())
        let whole = UnsafeRawBufferPointer(rebasing: all[0..<total])
        var crc = seed
        var at = 0
        var cuts: [Int] = []
        while at < total {
          let step = Swift.min(total - at, Int(g.next() % (round % 2 == 0 ? 200 : 9000)))
          crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[at..<(at + step)]), continuing: crc)
          at += step
          cuts.append(at)
        }
        XCTAssertEqual(
          crc, zlibCRC(whole, seed), "round \(round): \(total) bytes from 0x\(String(seed, radix: 16)) cut at \(cuts.prefix(20))")
      }
    }
  }

  func testUsesCarrylessMultiplyWhenTheCPUHasIt() throws {
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    guard flags.contains(" pclmulqdq") && flags.contains(" sse4_1") else { throw XCTSkip("no PCLMULQDQ/SSE4.1 here") }
    XCTAssertTrue(CRC32.hasCLMUL)
    let vp = [" avx512f", " avx512bw", " avx512vl", " vpclmulqdq"].allSatisfy { flags.contains($0) }
    XCTAssertEqual(CRC32.usesVPCLMUL, vp, "512-bit folding used exactly when the CPU lists its flags")
  }

  /// Every event of real CRC32 binlogs: the checksum of all but the last 4 bytes equals the
  /// stored trailer (the Format_description may have been checksummed with its in-use flag clear).
  func testEveryEventOfCorpusFilesMatchesItsStoredChecksum() throws {
    let files = [
      "mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000002",
      "osheroff__mysql-binlog-connector-java/mysql-bin.checksum-crc32",
      "zendesk__maxwell/binlog.000004",
      "alibaba__canal/tsdb_mysql-bin.000003",
    ]
    var checked = 0
    for rel in files {
      let path = try TestPaths.corpusFile(rel)
      let m = try MappedFile(path: path)
      let b = m.bytes
      var off = 4
      while off + 19 <= b.count {
        let size = Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: off + 9, as: UInt32.self)))
        XCTAssertGreaterThanOrEqual(size, 23, "\(rel) at \(off)")
        guard size >= 23, off + size <= b.count else { break }
        let ev = UnsafeRawBufferPointer(rebasing: b[off..<(off + size)])
        let body = UnsafeRawBufferPointer(rebasing: ev[0..<(size - 4)])
        let stored = UInt32(littleEndian: ev.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self))
        let crc = CRC32.checksum(body)
        XCTAssertEqual(crc, zlibCRC(body), "\(rel) event at \(off), \(size) bytes")
        if b[off + 4] == EventType.formatDescription.rawValue && crc != stored {
          var copy = Array(body)
          copy[17] &= 0xFE
          XCTAssertEqual(copy.withUnsafeBytes { CRC32.checksum($0) }, stored, "\(rel) FDE at \(off)")
        } else {
          XCTAssertEqual(crc, stored, "\(rel) event at \(off) (type \(b[off + 4]), \(size) bytes)")
        }
        checked += 1
        off += size
      }
      XCTAssertEqual(off, b.count, "\(rel) ends on an event boundary")
    }
    XCTAssertGreaterThan(checked, 1000)
  }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SplitMix {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
