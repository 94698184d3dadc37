import BinlogFormat
import BinlogIO
import Exporters
import Foundation
import XCTest

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
