import Foundation
import SluiceTestSupport
import XCTest

/// Issue 16's defects, each reproduced from the real file the issue names: the damaged input is
/// built in a temporary directory at run time from the fixture or corpus file (nothing of them
/// is committed), and the untouched file's own output is the reference.
final class ReliabilityTests: SluiceTestCase {
  func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
  }
  func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
  }

  /// CRC-32 (ISO-HDLC, as binlog events use), bitwise: an independent check of Sluice's own.
  func crc32(_ b: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for x in b {
      c ^= UInt32(x)
      for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return ~c
  }

  /// The stderr lines starting `sluice: warning:`.
  func warnings(_ r: Run) -> [Substring] {
    r.stderr.split(separator: "\n").filter { $0.hasPrefix("sluice: warning:") }
  }

  // MARK: 3. index checksums

  /// Defect 3: byte 973 of binlog.000002's index XORed with 0xDE made `stats` print "0
  /// transactions" with exit 0. Every byte of the index is now covered by a checksum checked on
  /// load; a bad index is rebuilt (stats: in memory) with one warning, and the answer is the
  /// untouched index's, for that byte and for 120 seeded random one-byte flips.
  func testCorruptIndexIsNeverTrusted() throws {
    let dir = try temporaryDirectory()
    let file = dir + "/binlog.000002"
    try write(try bytes(Self.fixtureDir + "/binlog.000002"), file)
    XCTAssertEqual(try run(["index", file]).status, 0)
    let reference = try run(["stats", file])
    XCTAssertEqual(reference.status, 0, reference.stderr)
    XCTAssertTrue(reference.text.contains("73 transactions"), reference.text)
    let good = try bytes(file + ".sidx")

    var flips = [(973, UInt8(0xDE))]
    var rng = SplitMix(seed: 16)
    for _ in 0..<120 { flips.append((Int(rng.next() % UInt64(good.count)), UInt8(1 << (rng.next() % 8)))) }
    for (at, mask) in flips {
      var b = good
      b[at] ^= mask
      try write(b, file + ".sidx")
      let r = try run(["stats", file])
      XCTAssertEqual(r.status, 0, "flip \(at)^\(mask): \(r.stderr)")
      XCTAssertEqual(r.text, reference.text, "flip \(at)^\(mask): stats differ from the untouched index's")
      let w = warnings(r)
      XCTAssertEqual(w.count, 1, "flip \(at)^\(mask): one warning: \(r.stderr)")
      XCTAssertTrue(w.first?.contains("index is corrupt") == true && w.first?.contains(file + ".sidx") == true, r.stderr)
    }
    // `index` rebuilds it and says so.
    var b = good
    b[973] ^= 0xDE
    try write(b, file + ".sidx")
    let ix = try run(["index", file])
    XCTAssertEqual(ix.status, 0, ix.stderr)
    XCTAssertTrue(ix.text.contains("rebuilt") && ix.text.contains("index is corrupt"), ix.text)
    XCTAssertEqual(try bytes(file + ".sidx"), good, "the rebuilt index is the original one")
  }

  // MARK: 2. Format_description checksum

  /// Defect 2: the server-version byte at offset 26 changed 0x31→0xD3, or the checksum
  /// algorithm byte at 251 changed 1→0, was read as a pre-checksum (or NONE) file with exit 0 and
  /// 4 CRC bytes glued to every statement. Both are now refused by every reading command.
  func testDamagedFormatDescriptionIsRefused() throws {
    let source = try corpusFile("mariadb-operator__mariadb-poc/domain_id_0_mariadb-repl-bin.000010")
    let good = try bytes(source)
    XCTAssertEqual(good[26], 0x31)
    XCTAssertEqual(good[251], 1)
    let dir = try temporaryDirectory()
    for (at, value) in [(26, UInt8(0xD3)), (251, UInt8(0))] {
      var b = good
      b[at] = value
      let file = dir + "/mutant-\(at)"
      try write(b, file)
      for args in [
        ["events"], ["export", "--format", "sql"], ["export", "--format", "ndjson"], ["stats"], ["query"], ["index"],
      ] {
        let r = try run(args + [file])
        XCTAssertEqual(r.status, 2, "\(args) byte \(at): \(r.stderr)")
        XCTAssertTrue(r.stderr.contains(file) && r.stderr.contains("at offset"), "\(args) byte \(at): \(r.stderr)")
        XCTAssertTrue(
          r.stderr.contains("CRC32 mismatch") || r.stderr.contains("Format_description is damaged"),
          "\(args) byte \(at): \(r.stderr)")
      }
    }
    XCTAssertEqual(try run(["events", source]).status, 0, "the untouched file reads")
  }

  // MARK: 8. duplicated GTID

  /// Defect 8: the GTID event at 711 of binlog.000002 duplicated gave exit 0 and a phantom empty
  /// transaction (mariadb-binlog errors). A GTID inside an open transaction is now an error at
  /// its offset, in the walker (events, export) and the index (stats, query).
  func testDuplicatedGTIDIsAStructuralError() throws {
    let good = try bytes(Self.fixtureDir + "/binlog.000002")
    XCTAssertEqual(good[711 + 4], 162, "a MariaDB GTID event at 711")
    let size = Int(u32(good, 711 + 9))
    let mutant = Array(good[0..<(711 + size)] + good[711..<(711 + size)] + good[(711 + size)...])
    let dir = try temporaryDirectory()
    let file = dir + "/binlog.000002"
    try write(mutant, file)
    for args in [["events"], ["export", "--format", "ndjson"], ["export", "--format", "sql"], ["stats"], ["query"]] {
      let r = try run(args + [file])
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(
        r.stderr.contains("\(file): at offset \(711 + size) (Gtid_mariadb)")
          && r.stderr.contains("inside the transaction that began at 711"),
        "\(args): \(r.stderr)")
    }
    // A BEGIN inside an open transaction too: MySQL 5.7's GTID, BEGIN, ... with BEGIN doubled.
    let mysql = try bytes(try corpusFile("rust-us__mysql-cdc-rs/5.7_30_write_rows_v2_log.bin"))
    var at = 4
    var begin = -1
    while at + 19 <= mysql.count {
      let n = Int(u32(mysql, at + 9))
      if mysql[at + 4] == 2, n >= 5, Array(mysql[(at + n - 9)..<(at + n - 4)]) == Array("BEGIN".utf8) {
        begin = at
        break
      }
      at += n
    }
    XCTAssertGreaterThan(begin, 0)
    let n = Int(u32(mysql, begin + 9))
    let doubled = Array(mysql[0..<(begin + n)] + mysql[begin..<(begin + n)] + mysql[(begin + n)...])
    try write(doubled, dir + "/mysql-bin.000001")
    let r = try run(["events", dir + "/mysql-bin.000001"])
    XCTAssertEqual(r.status, 2, r.stderr)
    XCTAssertTrue(r.stderr.contains("at offset \(begin + n) (Query)") && r.stderr.contains("BEGIN inside"), r.stderr)
  }

  // MARK: 6. start position

  /// Defect 6: `events --start-position 1000 binlog.000002` said "event of 4160749568 bytes …
  /// file truncated mid-event". It now says 1000 is not an event boundary and names the
  /// boundaries around it (from the file's own headers); with a directory, a bare offset applies
  /// to the first file only.
  func testStartPositionInsideAnEventNamesTheBoundaries() throws {
    let file = Self.fixtureDir + "/binlog.000002"
    let b = try bytes(file)
    var starts: [Int] = []
    var at = 4
    while at < b.count {
      starts.append(at)
      at += Int(u32(b, at + 9))
    }
    let before = starts.last { $0 < 1000 }!
    let after = starts.first { $0 > 1000 }!
    let r = try run(["events", "--start-position", "1000", file])
    XCTAssertEqual(r.status, 2, r.stderr)
    XCTAssertTrue(r.stderr.contains("1000 is not an event boundary"), r.stderr)
    XCTAssertTrue(r.stderr.contains("start at \(before) and \(after)"), r.stderr)
    XCTAssertFalse(r.stderr.contains("4160749568"), r.stderr)
    XCTAssertEqual(r.stdout.count, 0)
    let past = try run(["events", "--start-position", "99999999", file])
    XCTAssertEqual(past.status, 2)
    XCTAssertTrue(past.stderr.contains("past the end"), past.stderr)

    // A directory: the offset applies to binlog.000001 only; the later files are listed whole.
    let dir = try temporaryDirectory()
    for name in ["binlog.000001", "binlog.000002"] { try write(try bytes(Self.fixtureDir + "/" + name), dir + "/" + name) }
    let first = try bytes(dir + "/binlog.000001")
    let second = Int(u32(first, 4 + 9)) + 4  // the event after the Format_description
    let all = try run(["events", "--start-position", "\(second)", dir])
    XCTAssertEqual(all.status, 0, all.stderr)
    let one = try run(["events", "--start-position", "\(second)", dir + "/binlog.000001"])
    let two = try run(["events", dir + "/binlog.000002"])
    XCTAssertEqual(all.text, one.text + two.text)
  }

  // MARK: 4. partial last event

  /// Defect 4: binlog.000001 cut at 160,000 bytes made `query`, `index` and `stats` return
  /// nothing. The index now stops at the last complete transaction, with a notice naming the
  /// file and offset, and `query` prints exactly the untouched file's first transactions.
  func testCutFileIsIndexedUpToItsLastCompleteTransaction() throws {
    let dir = try temporaryDirectory()
    let full = dir + "/full/binlog.000001"
    let cut = dir + "/cut/binlog.000001"
    try FileManager.default.createDirectory(atPath: dir + "/full", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir + "/cut", withIntermediateDirectories: true)
    let b = try bytes(Self.fixtureDir + "/binlog.000001")
    try write(b, full)
    try write(Array(b[0..<160_000]), cut)
    let whole = try run(["query", "--format", "ndjson", full])
    XCTAssertEqual(whole.status, 0, whole.stderr)
    let q = try run(["query", "--format", "ndjson", cut])
    XCTAssertEqual(q.status, 0, q.stderr)
    XCTAssertTrue(q.stderr.contains("binlog.000001: the last") && q.stderr.contains("incomplete event"), q.stderr)
    let partial = q.text.split(separator: "\n")
    XCTAssertGreaterThan(partial.count, 100)
    XCTAssertEqual(Array(whole.text.split(separator: "\n").prefix(partial.count)), partial)
    let s = try run(["stats", cut])
    XCTAssertEqual(s.status, 0, s.stderr)
    XCTAssertTrue(s.text.contains("81 transactions"), s.text)
    let ix = try run(["index", cut])
    XCTAssertEqual(ix.status, 0, ix.stderr)
    XCTAssertTrue(ix.text.contains("81 transactions"), ix.text)
    // export (the walker) reads the same 81 transactions' events before its error.
    let e = try run(["export", "--format", "ndjson", cut])
    XCTAssertTrue(e.stderr.contains("at offset 159970"), e.stderr)
  }

  // MARK: 1. Transaction_payload memory bomb

  /// Defect 1: transaction_compression.000001's payload event at 274 replaced by a CRC-valid
  /// ~20 KB zstd payload inflating to one 600 MiB inner event made every command abort
  /// ("failed to allocate 629145616 bytes") under `ulimit -v 2000000`. The inner event is now
  /// refused before it is decompressed: over the payload's declared uncompressed size, or over
  /// `--max-event-size`.
  func testPayloadBombIsRefusedInBoundedMemory() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") else { throw XCTSkip("no zstd CLI") }
    let source = try corpusFile("blackbeam__rust_mysql_common/transaction_compression.000001")
    let good = try bytes(source)
    XCTAssertEqual(good[274 + 4], 40, "a Transaction_payload at 274")
    let oldSize = Int(u32(good, 274 + 9))
    let dir = try temporaryDirectory()
    // The inner event: a Write_rows header claiming 600 MiB, then zeros, compressed by zstd.
    let innerSize: UInt32 = 629_145_616
    var header = Array(good[274..<(274 + 19)])
    header[4] = 30
    put32(&header, 9, innerSize)
    try write(header, dir + "/inner-header")
    let zst = Process()
    zst.executableURL = URL(fileURLWithPath: "/bin/bash")
    zst.arguments = ["-c", "{ cat inner-header; head -c \(innerSize - 19) /dev/zero; } | zstd -q -c > inner.zst", dir]
    zst.currentDirectoryURL = URL(fileURLWithPath: dir)
    try zst.run()
    zst.waitUntilExit()
    let payload = try bytes(dir + "/inner.zst")
    XCTAssertLessThan(payload.count, 64 << 10)

    func bomb(declaring uncompressed: UInt64) -> [UInt8] {
      func packed(_ v: UInt64) -> [UInt8] {
        v < 251 ? [UInt8(v)] : [0xFE] + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
      }
      func field(_ t: UInt8, _ v: UInt64) -> [UInt8] {
        let p = packed(v)
        return [t] + packed(UInt64(p.count)) + p
      }
      let body = field(2, 0) + field(3, uncompressed) + field(1, UInt64(payload.count)) + [0] + payload
      var ev = Array(good[274..<(274 + 19)]) + body + [0, 0, 0, 0]
      put32(&ev, 9, UInt32(ev.count))
      put32(&ev, 13, UInt32(274 + ev.count))
      put32(&ev, ev.count - 4, crc32(ev[0..<(ev.count - 4)]))
      return Array(good[0..<274]) + ev + Array(good[(274 + oldSize)...])
    }
    let limits = "ulimit -v 2000000;"
    let commands = [
      ["events"], ["export", "--format", "ndjson"], ["export", "--format", "sql"], ["export", "--format", "canal"],
      ["query"], ["index"], ["stats"],
    ]
    // Declaring the original transaction's 179 bytes: refused by the declared size.
    let small = dir + "/small.000001"
    try write(bomb(declaring: 179), small)
    for args in commands {
      let r = try run(args + [small], limits: limits)
      XCTAssertFalse(r.signaled, "\(args): killed by signal \(r.status): \(r.stderr)")
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("\(small): at offset 274"), "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("declared uncompressed size"), "\(args): \(r.stderr)")
    }
    // Declaring its true size: refused by --max-event-size.
    let honest = dir + "/honest.000001"
    try write(bomb(declaring: UInt64(innerSize)), honest)
    for args in commands {
      let r = try run(args + ["--max-event-size", "64M", honest], limits: limits)
      XCTAssertFalse(r.signaled, "\(args): killed by signal \(r.status): \(r.stderr)")
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(
        r.stderr.contains("\(honest): at offset 274") && r.stderr.contains("--max-event-size"), "\(args): \(r.stderr)")
    }
    XCTAssertEqual(try run(["events", source]).status, 0, "the untouched file reads")
  }

  // MARK: 5. all-or-nothing output

  /// Defect 5: SIGINT/SIGTERM during `-o FILE` left the partial FILE (and `.zst` output a hidden
  /// temporary file); a full disk left the partial file with a message not naming it. Now the
  /// output appears only when the run succeeds: a signal or a failed write leaves nothing, and
  /// the message names the file and the errno text.
  func testInterruptedOrFailedOutputLeavesNothing() throws {
    let source = Self.fixtureDir + "/binlog.000001"
    let dir = try temporaryDirectory()
    let sluicePath = try sluice()
    let outputs: [(String, [String])] = [
      ("events.txt", ["events"]), ("changes.sql", ["export", "--format", "sql"]),
      ("undo.sql", ["export", "--format", "sql", "--flashback"]), ("changes.ndjson.zst", ["export"]),
      ("canal.bin", ["export", "--format", "canal"]),
    ]
    for signal in ["INT", "TERM"] {
      for (name, args) in outputs {
        let work = dir + "/\(signal)-\(name)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // Half the file through a FIFO, then the writer waits: sluice is mid-output when signalled.
        let script = """
          cd "$1"; mkfifo in
          { head -c 100000 "$2"; exec sleep 30; } > in 2>/dev/null & W=$!
          "$3" \(args.joined(separator: " ")) -o "$1/\(name)" in & P=$!
          for i in $(seq 50); do ls -a | grep -q tmp && break; sleep 0.1; done
          sleep 0.3; kill -\(signal) $P; wait $P; echo "status $?"; kill $W 2>/dev/null; rm -f in
          """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script, "x", work, source, sluicePath]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(text.contains("status 1"), "\(name) \(signal): killed by the signal: \(text)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work), [], "\(name) after SIG\(signal)")
      }
    }
    // A write that fails (the file size limit, as a full disk would): nothing left, file named.
    for (name, args) in outputs {
      let work = dir + "/full-\(name)"
      try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
      let r = try run(args + ["-o", work + "/" + name, source], limits: "trap '' XFSZ; ulimit -f 8;")
      XCTAssertEqual(r.status, 3, "\(name): \(r.stderr)")
      // (--flashback spools to TMPDIR first: that write is the one that fails.)
      XCTAssertTrue(
        (r.stderr.contains(work + "/" + name) || r.stderr.contains("flashback spool")) && r.stderr.contains("File too large"),
        "\(name): \(r.stderr)")
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work), [], name)
    }
    // A run that ends in an input error leaves no output either; a good run leaves exactly it.
    let cut = dir + "/cut.000001"
    try write(Array(try bytes(source)[0..<100_000]), cut)
    let failed = try run(["export", "--format", "sql", "-o", dir + "/failed.sql", cut])
    XCTAssertEqual(failed.status, 2, failed.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/failed.sql"))
    let ok = try run(["export", "--format", "sql", "-o", dir + "/ok.sql", source])
    XCTAssertEqual(ok.status, 0, ok.stderr)
    XCTAssertEqual(
      try Data(contentsOf: URL(fileURLWithPath: dir + "/ok.sql")), try run(["export", "--format", "sql", source]).stdout)
  }

  /// `-o` naming a named pipe (as `/dev/null`, a terminal or a socket would be): the output is
  /// written into it, and it is still a pipe afterwards. Written all-or-nothing through a
  /// temporary file renamed over it, it became a regular file: `-o /dev/null` run as root
  /// replaced the machine's `/dev/null`. Archives refuse such a name.
  func testOutputToAPipeIsWrittenIntoItNeverReplaced() throws {
    let source = Self.fixtureDir + "/binlog.000001"
    let dir = try temporaryDirectory()
    let fifo = dir + "/pipe"
    let cases: [(args: [String], expected: Data)] = [
      (["export", "--format", "ndjson"], try run(["export", "--format", "ndjson", source]).stdout),
      (["export", "--format", "sql", "--compress", "zstd"], Data()),
      (["report"], Data()),
    ]
    for (args, expected) in cases {
      XCTAssertEqual(mkfifo(fifo, 0o600), 0)
      let received = dir + "/received"
      // The reader: everything that comes through the pipe, into a file.
      let reader = Process()
      reader.executableURL = URL(fileURLWithPath: "/bin/sh")
      reader.arguments = ["-c", "exec cat \"$0\" > \"$1\"", fifo, received]
      try reader.run()
      let r = try run(args + ["-o", fifo, source])
      reader.waitUntilExit()
      XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
      var st = stat()
      XCTAssertEqual(lstat(fifo, &st), 0)
      XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "\(args): -o PIPE left a pipe")
      let got = try Data(contentsOf: URL(fileURLWithPath: received))
      if expected.isEmpty {
        XCTAssertGreaterThan(got.count, 1000, "\(args): the output came through the pipe")
      } else {
        XCTAssertEqual(got, expected, "\(args): the same bytes as on standard output")
      }
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["pipe", "received"], "\(args)")
      unlink(fifo)
      unlink(received)
    }
    // An archive whose name is taken by a pipe: refused, the pipe left as it is.
    let work = dir + "/archive"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    try write(try bytes(source), work + "/binlog.000001")
    XCTAssertEqual(mkfifo(work + "/binlog.000001.zst", 0o600), 0)
    let a = try run(["archive", "--force", work + "/binlog.000001"])
    XCTAssertEqual(a.status, 3, a.stderr)
    XCTAssertTrue(a.stderr.contains("not a regular file"), a.stderr)
    var st = stat()
    XCTAssertEqual(lstat(work + "/binlog.000001.zst", &st), 0)
    XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
  }

  // MARK: 7. archive --verify

  /// Defect 7: an archive with its last byte flipped passed `archive --verify`, then `query`
  /// said "not a stream". --verify now finds the damaged seek table.
  func testArchiveVerifyCatchesADamagedSeekTable() throws {
    let dir = try temporaryDirectory()
    try write(try bytes(Self.fixtureDir + "/binlog.000002"), dir + "/binlog.000002")
    let a = try run(["archive", "--remove-source", dir + "/binlog.000002"])
    XCTAssertEqual(a.status, 0, a.stderr)
    let archive = dir + "/binlog.000002.zst"
    XCTAssertEqual(try run(["archive", "--verify", archive]).status, 0)
    var b = try bytes(archive)
    b[b.count - 1] ^= 0xFF
    try write(b, archive)
    let q = try run(["query", archive])
    XCTAssertNotEqual(q.status, 0, "query refuses the damaged archive: \(q.stderr)")
    let v = try run(["archive", "--verify", archive])
    XCTAssertEqual(v.status, 2, v.stderr)
    XCTAssertTrue(v.stderr.contains(archive) && v.stderr.contains("seek table"), v.stderr)
  }

  // MARK: 10. serve start points

  /// Defect 10: `serve --start-position binlog.000002:711 DIR` failed when DIR holds
  /// binlog.000002.zst; a start position in a file that is not an input, or past its end, is
  /// refused at start-up (exit before listening), not at the first subscribe.
  func testServeStartPositionsOnArchivesAndBadOnesAtStartup() throws {
    let dir = try temporaryDirectory()
    for name in ["binlog.000001", "binlog.000002"] { try write(try bytes(Self.fixtureDir + "/" + name), dir + "/" + name) }
    let a = try run(["archive", "--remove-source", dir + "/binlog.000001", dir + "/binlog.000002"])
    XCTAssertEqual(a.status, 0, a.stderr)
    let past = try run(["serve", "--port", "0", "--start-position", "binlog.000002:99999999", dir], limits: "ulimit -t 20;")
    XCTAssertEqual(past.status, 2, past.stderr)
    XCTAssertTrue(past.stderr.contains("past the end") && !past.stderr.contains("serving"), past.stderr)
    let missing = try run(["serve", "--port", "0", "--start-position", "binlog.000009:4", dir], limits: "ulimit -t 20;")
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(missing.stderr.contains("binlog.000009") && !missing.stderr.contains("serving"), missing.stderr)
    // The archive's binlog name is accepted, and canal-python's own client gets the same
    // entries as from the plain binlogs with the same start position.
    let plain = try temporaryDirectory()
    for name in ["binlog.000001", "binlog.000002"] { try write(try bytes(Self.fixtureDir + "/" + name), plain + "/" + name) }
    let fromArchives = try serveAndConsume(dir, start: "binlog.000002:711")
    let fromPlain = try serveAndConsume(plain, start: "binlog.000002:711")
    XCTAssertFalse(fromPlain.isEmpty)
    XCTAssertEqual(fromArchives, fromPlain)
    XCTAssertTrue(fromArchives.allSatisfy { $0.hasPrefix("binlog.000002:") }, "\(fromArchives.prefix(3))")
  }

  /// `logfileName:logfileOffset` of every entry canal-python's client gets from `serve DIR`.
  func serveAndConsume(_ dir: String, start: String) throws -> [String] {
    let client = Self.packageRoot + "/Tests/CanalServerTests/server_client.py"
    let script = """
      "$0" serve --port 0 --start-position "$2" "$1" 2> "$1.log" & P=$!
      for i in $(seq 100); do grep -q serving "$1.log" && break; sleep 0.1; done
      port=$(sed -n 's/.*serving example on 127.0.0.1:\\([0-9]*\\).*/\\1/p' "$1.log")
      PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python timeout 60 python3 "$3" 127.0.0.1 "$port"; s=$?
      kill -TERM $P; wait $P; cat "$1.log" >&2; rm -f "$1.log"; exit $s
      """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", script, try sluice(), dir, start, client]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if p.terminationStatus == 2 { throw XCTSkip("canal-python is not installed") }
    XCTAssertEqual(p.terminationStatus, 0)
    struct Output: Decodable {
      struct Step: Decodable {
        struct Entry: Decodable {
          var logfileName: String
          var logfileOffset: Int64
        }
        var step: String
        var entries: [Entry]
      }
      var steps: [Step]
    }
    let steps = try JSONDecoder().decode(Output.self, from: data).steps
    return steps.filter { $0.step == "get" || $0.step == "after-rollback-one" }.flatMap {
      $0.entries.map { "\($0.logfileName):\($0.logfileOffset)" }
    }
  }
}

/// A small seeded generator (SplitMix64), so a failing flip can be replayed.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
