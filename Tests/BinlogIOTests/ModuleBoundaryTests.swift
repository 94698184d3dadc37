import Foundation
import SluiceTestSupport
import XCTest

/// Issue 14's split: BinlogFormat decodes bytes it is given, BinlogIO owns where they come from.
/// SwiftPM on Linux builds every module into one folder, so an import that Package.swift does not
/// declare still compiles: this test is what keeps the boundary.
final class ModuleBoundaryTests: XCTestCase {
  /// Lines of BinlogFormat's sources that open, map or read files, or start threads, as
  /// `file:line: text`.
  func inputLinesInBinlogFormat() throws -> [String] {
    let root = TestPaths.packageRoot + "/Sources/BinlogFormat"
    let forbidden = [
      "import BinlogIO", "mmap(", "munmap(", "madvise(", "fstat(", "fopen(", "pthread_create(", "Thread(",
    ]
    var found: [String] = []
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    XCTAssertGreaterThan(files.filter { $0.hasSuffix(".swift") }.count, 50, "BinlogFormat's sources at \(root)")
    for file in files where file.hasSuffix(".swift") {
      let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
      for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let code = line.trimmingCharacters(in: .whitespaces)
        if code.hasPrefix("//") { continue }
        // `open(` alone, not `iconv_open(` (charset conversion is decoding, not input).
        let opens = code.range(of: #"(^|[^A-Za-z_])open\("#, options: .regularExpression) != nil
        if opens || forbidden.contains(where: { code.contains($0) }) { found.append("\(file):\(n + 1): \(code)") }
      }
    }
    return found
  }

  func testBinlogFormatOpensNoFileAndStartsNoThread() throws {
    let found = try inputLinesInBinlogFormat()
    XCTAssertEqual(
      found, [], "BinlogFormat reads its bytes from BinlogIO; these lines belong there:\n" + found.joined(separator: "\n"))
  }

  /// The modules above BinlogFormat that read files declare BinlogIO in Package.swift.
  func testEveryTargetImportingBinlogIODeclaresIt() throws {
    let whole = try String(contentsOfFile: TestPaths.packageRoot + "/Package.swift", encoding: .utf8)
    // The targets, after the products (which name the same modules).
    let manifest = whole[(whole.range(of: "\n  targets: [")?.upperBound ?? whole.startIndex)...]
    var missing: [String] = []
    for group in ["Sources", "Tests"] {
      let dir = TestPaths.packageRoot + "/" + group
      for target in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where target != "fuzz" {
        let files = FileManager.default.enumerator(atPath: dir + "/" + target)?.compactMap { $0 as? String } ?? []
        let imports = try files.filter { $0.hasSuffix(".swift") }.contains { f in
          try String(contentsOfFile: dir + "/" + target + "/" + f, encoding: .utf8).contains("import BinlogIO\n")
        }
        guard imports, target != "BinlogIO" else { continue }
        // The target's declaration runs from its name to the next target.
        guard let start = manifest.range(of: "name: \"\(target)\"") else {
          missing.append(target + " (not in Package.swift)")
          continue
        }
        let rest = manifest[start.upperBound...]
        let end = rest.range(of: "name: \"")?.lowerBound ?? rest.endIndex
        if !rest[..<end].contains("\"BinlogIO\"") { missing.append(target) }
      }
    }
    XCTAssertEqual(missing, [], "these targets import BinlogIO without declaring it in Package.swift")
  }
}
