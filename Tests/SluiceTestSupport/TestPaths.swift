import Foundation
import XCTest

/// Where the tests find their inputs: the project's fixtures and the shared corpus
/// (`../shared/corpus` beside the checkout), by path.
public enum TestPaths {
  /// The checkout's root (three levels above this file).
  public static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  public static let fixtures = packageRoot + "/Fixtures"
  public static let corpus = packageRoot + "/../shared/corpus"

  /// The folder of one test target's own files (scripts, data), `Tests/<target>`.
  public static func testsDir(_ target: String) -> String { packageRoot + "/Tests/" + target }

  /// A corpus file by its path relative to the corpus, or a skip when the corpus is absent.
  public static func corpusFile(_ rel: String) throws -> String {
    let p = corpus + "/" + rel
    guard FileManager.default.fileExists(atPath: p) else {
      throw XCTSkip("corpus file \(rel) not found at \(p) (CI has ../shared beside the checkout)")
    }
    return p
  }

  /// The binlog files (`binlog.0*`, no sidecars) of one fixture set, in order.
  public static func fixtureSet(_ name: String = "mariadb-10.11") -> [String] {
    let dir = fixtures + "/" + name
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
      .filter { $0.hasPrefix("binlog.0") && !$0.hasSuffix(".sidx") }
      .sorted().map { dir + "/" + $0 }
  }
}
