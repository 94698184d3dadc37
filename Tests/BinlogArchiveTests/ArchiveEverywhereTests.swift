import BinlogFormat
import BinlogIO
import Foundation
import SluiceTestSupport
import XCTest

@testable import BinlogArchive

/// Archives wherever a binlog goes: mixed directories, compressed streams on stdin and on disk,
/// compressed exports, and Entry dumps served like binlogs. Runs the built `sluice`.
final class ArchiveEverywhereTests: XCTestCase {
  static let fixtureDir = TestPaths.fixtures + "/mariadb-10.11"

  /// A copy of the fixture directory with binlog.000002 only archived and binlog.000003 both
  /// plain and archived.
  private func mixedDirectory() throws -> String {
    let dir = try temporaryDirectory(removedAfter: self) + "/mixed"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for n in ["binlog.000001", "binlog.000002", "binlog.000003"] {
      try FileManager.default.copyItem(atPath: Self.fixtureDir + "/" + n, toPath: dir + "/" + n)
    }
    var options = Archiver.Options()
    options.settings.frameSize = 16 << 10
    options.removeSource = true
    _ = try Archiver.archive(dir + "/binlog.000002", options: options)
    options.removeSource = false
    _ = try Archiver.archive(dir + "/binlog.000003", options: options)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/binlog.000002"))
    return dir
  }

  func testMixedDirectoryReadsAsOneStreamPreferringPlainFiles() throws {
    let s = try sluiceExecutable()
    let dir = try mixedDirectory()
    let commands = [
      ["events", "--format", "ndjson"], ["export", "--format", "ndjson"], ["export", "--format", "canal"],
      ["query", "--no-index"], ["query", "--type", "insert", "--rows", "--format", "ndjson"],
      ["query", "--no-index", "--start-position", "binlog.000002:4", "--stop-position", "binlog.000003:4"],
      ["stats", "--format", "json"],
    ]
    for command in commands {
      let (plainStatus, plain, plainErr) = try runSluice([s] + command + [Self.fixtureDir])
      XCTAssertEqual(plainStatus, 0, "\(command): \(plainErr)")
      let (status, mixed, err) = try runSluice([s] + command + [dir])
      XCTAssertEqual(status, 0, "\(command): \(err)")
      assertSameOutput(plain, mixed, "\(command) on a mixed directory")
      let notes = err.components(separatedBy: "binlog.000003 is present both plain and archived").count - 1
      XCTAssertEqual(notes, 1, "\(command): one note about binlog.000003, got: \(err)")
      XCTAssertFalse(err.contains("gap"), "\(command): the Rotate chain runs through the archive: \(err)")
    }
  }

  func testCompressedExportsDecompressToTheUncompressedExport() throws {
    let s = try sluiceExecutable()
    let zstd = try zstdCLI()
    let dir = try temporaryDirectory(removedAfter: self)
    let input = Self.fixtureDir
    var runs: [(name: String, args: [String])] = []
    for format in ["ndjson", "canal", "canal-json"] {
      runs.append((format, ["export", "--format", format]))
    }
    runs.append(("query-ndjson", ["query", "--no-index", "--type", "update", "--format", "ndjson"]))
    runs.append(("query-text", ["query", "--table", "sluice_shop.*"]))
    for run in runs {
      let plainPath = dir + "/\(run.name).out"
      var (status, _, err) = try runSluice([s] + run.args + ["-o", plainPath, input])
      XCTAssertEqual(status, 0, err)
      let plain = try readBytes(plainPath)
      XCTAssertGreaterThan(plain.count, 1000, "\(run.name): the export is not empty")

      // By name, by option at a chosen level, and to stdout.
      let byName = dir + "/\(run.name).out.zst"
      (status, _, err) = try runSluice([s] + run.args + ["-o", byName, input])
      XCTAssertEqual(status, 0, err)
      let byOption = dir + "/\(run.name).level19"
      (status, _, err) = try runSluice([s] + run.args + ["--compress", "zstd:19", "-o", byOption, input])
      XCTAssertEqual(status, 0, err)
      let stdoutPath = dir + "/\(run.name).stdout.zst"
      let (stdoutStatus, stdoutBytes, stdoutErr) = try runSluice([s] + run.args + ["--compress", "zstd", input])
      XCTAssertEqual(stdoutStatus, 0, stdoutErr)
      try stdoutBytes.write(to: URL(fileURLWithPath: stdoutPath))

      for path in [byName, byOption, stdoutPath] {
        let compressed = try readBytes(path)
        XCTAssertTrue(ZstdBinlog.isZstd(compressed.withUnsafeBytes { $0 }), "\(path) is zstd")
        XCTAssertLessThan(compressed.count, plain.count / 3, "\(path) is compressed")
        let unzstd = try runCommand([zstd, "-d", "-q", "-c", path])
        let (zstatus, restored) = (unzstd.status, unzstd.stdout)
        XCTAssertEqual(zstatus, 0, "zstd -d \(path)")
        XCTAssertTrue([UInt8](restored) == plain, "zstd -d \(path) differs from the uncompressed \(run.name) export")
      }
      XCTAssertLessThan(try readBytes(byOption).count, try readBytes(byName).count, "level 19 beats level 3")

      // --compress none wins over the name.
      let forcedPlain = dir + "/\(run.name).plain.zst"
      (status, _, err) = try runSluice([s] + run.args + ["--compress", "none", "-o", forcedPlain, input])
      XCTAssertEqual(status, 0, err)
      XCTAssertTrue(try readBytes(forcedPlain) == plain)
    }
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
    XCTAssertEqual(leftovers, [], "no temporary files are left behind")

    let (status, _, err) = try runSluice([s, "export", "--compress", "zstd:99", input])
    XCTAssertEqual(status, 64, "an impossible level is a usage error: \(err)")
  }

  func testCompressedExportNeverOverwritesAnInputAndLeavesNothingOnError() throws {
    let s = try sluiceExecutable()
    let dir = try mixedDirectory()
    let archive = dir + "/binlog.000002.zst"
    let before = try readBytes(archive)
    var (status, _, err) = try runSluice([s, "export", "-o", archive, dir])
    XCTAssertEqual(status, 3, "refuses to write over an input: \(err)")
    XCTAssertTrue(err.contains("refusing to write output over an input file"), err)
    XCTAssertTrue(try readBytes(archive) == before, "the input archive is untouched")

    // A binlog cut mid-event: the export fails and leaves neither the output nor a temporary file.
    let out = try temporaryDirectory(removedAfter: self)
    let bytes = try readBytes(Self.fixtureDir + "/binlog.000001")
    try writeBytes(Array(bytes[0..<(bytes.count / 2)]), to: out + "/binlog.000001")
    (status, _, err) = try runSluice([s, "export", "-o", out + "/changes.ndjson.zst", out + "/binlog.000001"])
    XCTAssertEqual(status, 2, err)
    XCTAssertTrue(err.contains("truncated"), err)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["binlog.000001"])
  }

  func testStdinAndCompressedFilesAreDetectedByContent() throws {
    let s = try sluiceExecutable()
    let zstd = try zstdCLI()
    let gzip = try gzipCLI()
    let dir = try temporaryDirectory(removedAfter: self)
    let original = Self.fixtureDir + "/binlog.000003"
    let plainZst = dir + "/plain.zst"
    XCTAssertEqual(try runCommand([zstd, "-q", "-c", original]).status, 0)
    try runCommand([zstd, "-q", "-c", original]).stdout.write(to: URL(fileURLWithPath: plainZst))
    // Two gzip members, as `cat a.gz b.gz` makes: gzip -d reads them as one stream.
    let bytes = try readBytes(original)
    let half = bytes.count / 2
    try writeBytes(Array(bytes[..<half]), to: dir + "/a")
    try writeBytes(Array(bytes[half...]), to: dir + "/b")
    let members = try runCommand([gzip, "-c", dir + "/a"]).stdout + runCommand([gzip, "-c", dir + "/b"]).stdout
    let gz = dir + "/binlog.000003.gz"
    try members.write(to: URL(fileURLWithPath: gz))
    var options = Archiver.Options(outputDirectory: dir)
    options.settings.frameSize = 8 << 10
    let seekable = try Archiver.archive(original, options: options).output

    let (status, expected, err) = try runSluice([s, "events", original])
    XCTAssertEqual(status, 0, err)
    for (what, args, stdin) in [
      ("plain on stdin", ["events", "-"], original), ("zstd on stdin", ["events", "-"], plainZst),
      ("gzip on stdin", ["events", "-"], gz), ("seekable archive on stdin", ["events", "-"], seekable),
      ("gzip file", ["events", gz], nil), ("zstd file without a seek table", ["events", plainZst], nil),
    ] as [(String, [String], String?)] {
      let (st, out, e) = try runSluice([s] + args, stdin: stdin)
      XCTAssertEqual(st, 0, "\(what): \(e)")
      assertSameOutput(expected, out, what)
    }
    // The gzip file's events carry the original's name.
    let (_, ndjson, _) = try runSluice([s, "events", "--format", "ndjson", gz])
    XCTAssertTrue(String(decoding: ndjson, as: UTF8.self).hasPrefix("{\"file\":\"binlog.000003\""))

    // A cut gzip stream: the events before the cut, then an error naming the member.
    let cut = dir + "/cut.gz"
    try writeBytes(Array(try readBytes(gz).prefix(3000)), to: cut)
    let (st, out, e) = try runSluice([s, "events", cut])
    XCTAssertEqual(st, 2, e)
    XCTAssertTrue(e.contains("gzip stream ends inside member 0") && e.contains("truncated"), e)
    XCTAssertGreaterThan(out.count, 0, "events before the cut are listed")
    XCTAssertTrue(expected.starts(with: out), "what is listed before the cut is the original's")
  }

  func testGzipCorpusFileReadsLikeItsDecompressedStream() throws {
    let s = try sluiceExecutable()
    let path = TestPaths.corpus + "/osheroff__mysql-binlog-connector-java/mysql-bin.sakila.gz"
    guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("corpus not found at \(path)") }
    let dir = try temporaryDirectory(removedAfter: self)
    let plain = dir + "/mysql-bin.sakila"
    try runCommand([try gzipCLI(), "-d", "-c", path]).stdout.write(to: URL(fileURLWithPath: plain))
    for command in [["events", "--format", "ndjson"], ["export", "--format", "ndjson"]] {
      // Both are streams (no xid look-ahead); stdin's events are named "-", the file's after it.
      let (st1, fromStdin, e1) = try runSluice([s] + command + ["-"], stdin: plain)
      let (st2, actual, e2) = try runSluice([s] + command + [path])
      XCTAssertEqual(st1, 0, e1)
      XCTAssertEqual(st2, 0, e2)
      let expected = String(decoding: fromStdin, as: UTF8.self).replacingOccurrences(
        of: "{\"file\":\"-\",", with: "{\"file\":\"mysql-bin.sakila\",")
      assertSameOutput(Data(expected.utf8), actual, "\(command) on mysql-bin.sakila.gz")
    }
    let (_, events, _) = try runSluice([s, "events", path])
    XCTAssertEqual(events.split(separator: 0x0A).count, 1462, "EXPECTED: 1462 events")
  }

  func testDecompressedByteStreamReportsTheDamagedFrame() throws {
    let dir = try temporaryDirectory(removedAfter: self)
    let bytes = try readBytes(Self.fixtureDir + "/binlog.000001")
    var options = Archiver.Options(outputDirectory: dir)
    options.settings.frameSize = 8 << 10
    let archive = try readBytes(try Archiver.archive(Self.fixtureDir + "/binlog.000001", options: options).output)
    let table = try SeekableZstdArchive(path: dir + "/binlog.000001.zst").seekTable
    XCTAssertGreaterThan(table.frames.count, 3)
    // Cut inside the third frame: the first two frames' bytes come out, then the error.
    let third = table.frames[2]
    let cutAt = Int(third.compressedOffset) + Int(third.compressedSize) / 2
    try writeBytes(Array(archive[..<cutAt]), to: dir + "/cut.zst")
    let stream = try DecompressedByteStream(input: .mapped(MappedFile(path: dir + "/cut.zst")), name: "cut.zst")
    XCTAssertEqual(stream.compression, .zstd)
    var out: [UInt8] = []
    do {
      let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 8)
      defer { chunk.deallocate() }
      while true {
        let n = try stream.read(into: chunk)
        if n == 0 { break }
        out += chunk[0..<n]
      }
      XCTFail("a cut archive must not read as complete")
    } catch {
      XCTAssertEqual(error.kind, .truncated)
      XCTAssertTrue(error.message.contains("inside frame 2"), error.message)
      XCTAssertTrue(error.message.contains("compressed offset \(third.compressedOffset)"), error.message)
    }
    XCTAssertGreaterThanOrEqual(out.count, Int(third.decompressedOffset))
    XCTAssertTrue(Array(bytes[..<out.count]) == out, "the bytes before the damage are the original's")
  }

  // MARK: serving Entry dumps

  /// Starts `sluice serve --port 0 inputs`, returns the process and its port.
  private func startServe(_ s: String, _ inputs: [String]) throws -> (Process, Int) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: s)
    p.arguments = ["serve", "--port", "0"] + inputs
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    addTeardownBlock {
      if p.isRunning { p.terminate() }
      p.waitUntilExit()
    }
    var text = ""
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      let data = err.fileHandleForReading.availableData
      if data.isEmpty { break }
      text += String(decoding: data, as: UTF8.self)
      if let r = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
        let port = Int(text[r].split(separator: ":").last!)!
        return (p, port)
      }
    }
    XCTFail("serve did not start: \(text)")
    throw XCTSkip("serve did not start")
  }

  /// canal-python's client (Tests/CanalServerTests/server_client.py) against `inputs`: the
  /// serialized entries it was delivered, in order.
  private func delivered(_ s: String, _ inputs: [String]) throws -> [String] {
    let (server, port) = try startServe(s, inputs)
    defer { server.terminate() }
    let script = TestPaths.packageRoot + "/Tests/CanalServerTests/server_client.py"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script, "127.0.0.1", String(port), "--batch", "16", "--timeout", "20"]
    var env = ProcessInfo.processInfo.environment
    env["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
    p.environment = env
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "server_client.py against \(inputs)")
    struct Step: Decodable {
      struct Entry: Decodable { var hex: String }
      var step: String
      var entries: [Entry]
    }
    struct Output: Decodable { var steps: [Step] }
    let steps = try JSONDecoder().decode(Output.self, from: data).steps
    // What the client consumed: the redelivered first batch, then every acknowledged GET.
    return steps.filter { $0.step == "after-rollback-one" || $0.step == "get" }.flatMap { $0.entries.map(\.hex) }
  }

  func testServedEntryDumpDeliversWhatServingTheBinlogDelivers() throws {
    let s = try sluiceExecutable()
    let probe = try runCommand(["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python", "python3", "-c", "import canal.client"])
    guard probe.status == 0 else { throw XCTSkip("canal-python is not installed") }
    let dir = try temporaryDirectory(removedAfter: self)
    let binlogs = Self.fixtureDir
    let dump = dir + "/dump.canal.zst"
    let (status, _, err) = try runSluice([s, "export", "--format", "canal", "-o", dump, binlogs])
    XCTAssertEqual(status, 0, err)
    let plainDump = dir + "/dump.canal"
    try runCommand([try zstdCLI(), "-d", "-q", "-c", dump]).stdout.write(to: URL(fileURLWithPath: plainDump))
    let gzDump = dir + "/dump.bin"  // named like neither: the content decides
    try runCommand([try gzipCLI(), "-c", plainDump]).stdout.write(to: URL(fileURLWithPath: gzDump))

    let expected = try delivered(s, [binlogs])
    XCTAssertGreaterThan(expected.count, 100)
    for inputs in [[dump], [plainDump], [gzDump], [try mixedDirectory()]] {
      let got = try delivered(s, inputs)
      XCTAssertEqual(got.count, expected.count, "\(inputs): entries delivered")
      if let i = zip(got, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        XCTFail("\(inputs): entry \(i) differs from serving the binlogs")
      }
    }
  }
}
