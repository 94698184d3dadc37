import BinlogFormat
import BinlogQuery

/// `sluice report` as a library call: the report of `paths` (binlogs and archives, directories
/// already expanded) as HTML or JSON bytes.
public struct Report {
  public enum Format: String, Sendable, CaseIterable {
    case html, json
  }

  public var data: ReportData
  /// The inputs as given (for the commands the report prints).
  public var inputs: [String]

  public init(
    paths: [String], inputs: [String], window: ReportWindow = ReportWindow(), top: Int = 10, indexDir: String? = nil,
    options: ReaderOptions = ReaderOptions()
  ) throws(BinlogError) {
    let files = try ReportFiles.open(paths: paths, indexDir: indexDir, options: options)
    data = try ReportData(files: files, window: window, top: top)
    self.inputs = inputs
  }

  /// The report in `format`; `generatedAt` (epoch seconds) is printed when given.
  public func render(_ format: Format, generatedAt: Int64? = nil) -> [UInt8] {
    let json = ReportJSON.render(data, inputs: inputs, generatedAt: generatedAt)
    switch format {
    case .json: return json
    case .html: return ReportPage.render(json: json)
    }
  }
}
