/// One row image: its columns in table order, each with its name and value. Columns a MINIMAL
/// row image leaves out are not in it.
public struct Row: Sendable, Equatable, CustomStringConvertible {
  public struct Column: Sendable, Equatable {
    /// The column's name: from the binlog's FULL metadata, from DDL replay or a schema snapshot,
    /// else `@1`, `@2`, … by position.
    public var name: String
    public var value: Value

    public init(name: String, value: Value) {
      self.name = name
      self.value = value
    }
  }

  public var columns: [Column]

  public init(_ columns: [Column]) {
    self.columns = columns
  }

  /// The value of the column named `name`, nil when the image does not have it.
  public subscript(name: String) -> Value? {
    columns.first(where: { $0.name == name })?.value
  }

  public var names: [String] { columns.map(\.name) }

  /// The image as the NDJSON export writes it: `{"id":1,"name":"a"}`.
  public var description: String {
    "{" + columns.map { Value.string($0.name).jsonText + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
  }
}
