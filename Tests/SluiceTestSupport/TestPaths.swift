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

  /// `fixtureSet(name)`, or a skip when the set is not there.
  public static func requireFixtureSet(_ name: String) throws -> [String] {
    let files = fixtureSet(name)
    if files.isEmpty { throw XCTSkip("fixture set \(name) not found under \(fixtures)") }
    return files
  }

  /// Every fixture binlog (`Fixtures/<set>/binlog.0*`) of the sets whose name starts with
  /// `prefix`, set by set.
  public static func fixtureFiles(setPrefix prefix: String = "") -> [String] {
    let sets = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
    return sets.sorted().filter { $0.hasPrefix(prefix) }.flatMap { fixtureSet($0) }
  }

  /// The corpus's MANIFEST.tsv rows keyed by the header names, or a skip without the corpus.
  public static func manifest() throws -> [[String: String]] {
    let p = corpus + "/MANIFEST.tsv"
    guard let text = try? String(contentsOfFile: p, encoding: .utf8) else {
      throw XCTSkip("corpus manifest not found at \(p) (CI has ../shared beside the checkout)")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    let header = lines.removeFirst()
    return lines.map { row in
      var d: [String: String] = [:]
      for (i, h) in header.enumerated() where i < row.count { d[h] = row[i] }
      return d
    }
  }

  /// The corpus files the manifest names (relative paths), or none without the corpus.
  public static func corpusManifestPaths() -> [String] {
    ((try? manifest()) ?? []).compactMap { $0["path"] }
  }

  /// Corpus files that are broken on purpose (they must fail at the right offset).
  public static let brokenCorpusFiles: Set<String> = [
    "blackbeam__rust_mysql_common/binlog_truncated_event.000001",
    "blackbeam__rust_mysql_common/binlog_truncated_prev_gtid_event.000001",
    "blackbeam__rust_mysql_common/corrupt-relay-bin.000624",
    "blackbeam__rust_mysql_common/ver_5_1-wl2325_r.001",
  ]

  /// The size of a file in bytes (0 when it cannot be read).
  public static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
  }
}
