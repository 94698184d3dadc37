import BinlogFormat
import Exporters
import Foundation
import XCTest

enum Paths {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  static let corpus = packageRoot + "/../shared/corpus"
  static let fixtures = packageRoot + "/Fixtures"

  static func corpusFile(_ rel: String) throws -> String {
    let p = corpus + "/" + rel
    guard FileManager.default.fileExists(atPath: p) else {
      throw XCTSkip("corpus file \(rel) not found at \(p)")
    }
    return p
  }
}

/// Exports files as NDJSON in memory and parses every line back with JSONSerialization
/// (which also proves each line is valid JSON).
func exportNDJSON(_ paths: [String], options: ExportOptions = ExportOptions()) throws -> [[String: Any]] {
  let sink = OutputSink.memory()
  let exporter = NDJSONExporter(sink: sink, options: options)
  for p in paths {
    let input = try BinlogInput(path: p)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in try exporter.consume(ev, walker: w) }
  }
  try sink.close()
  var out: [[String: Any]] = []
  for line in sink.captured.split(separator: 0x0A) {
    let obj = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
    guard let d = obj as? [String: Any] else {
      XCTFail("line is not an object: \(String(decoding: line, as: UTF8.self))")
      continue
    }
    out.append(d)
  }
  return out
}

func rowLines(_ lines: [[String: Any]]) -> [[String: Any]] {
  lines.filter { ["insert", "update", "delete"].contains($0["type"] as? String ?? "") }
}

extension Dictionary where Key == String, Value == Any {
  func image(_ k: String) -> [String: Any]? { self[k] as? [String: Any] }
}
