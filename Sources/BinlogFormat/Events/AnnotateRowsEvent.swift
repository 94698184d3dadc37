/// MariaDB's Annotate_rows event: the statement text that produced the rows events after it
/// (`--binlog-annotate-row-events`). The body is the statement, with no length and no charset.
///
/// A view of the event's bytes, valid as long as they are: the statement is often as long as the
/// row data it wrote (the values are literals in it), and most readers skip it, so no `String`
/// is built until one is asked for.
public struct AnnotateRowsEvent {
  /// The statement's bytes (the client's charset, usually UTF-8).
  public let statement: UnsafeRawBufferPointer

  public init(statement: UnsafeRawBufferPointer) {
    self.statement = statement
  }

  /// The statement as text (malformed UTF-8 replaced by U+FFFD).
  public var text: String { String(decoding: statement, as: UTF8.self) }
}
