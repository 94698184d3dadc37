import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// DDL read from somewhere other than the binlogs of the run (the earlier files of their
/// directory, `EarlierSchema` in BinlogPipeline), replayed into a seeded timeline.
public struct EarlierDDL: Sendable {
  /// The statements, in file order, positioned in their own files.
  public var statements: [StoredDDL]
  /// The files they come from (names), in order.
  public var files: [String]
  /// Where the statements came from, in one sentence for stderr.
  public var note: String

  public init(statements: [StoredDDL], files: [String], note: String) {
    self.statements = statements
    self.files = files
    self.note = note
  }
}

extension SchemaTimeline {
  /// The timeline a run over binlogs starts from, the same for every command and library user:
  /// the server flavor, version and type-text style of `firstFile`'s Format_description (read
  /// only when it is a regular file: a pipe's bytes would be gone for the walk), then the
  /// `snapshot` (a dump, SHOW CREATE TABLE text or information_schema.COLUMNS export; its
  /// issues go to `onIssue`), or without one the DDL `earlier` finds (its note goes to `onNote`).
  public static func seeded(
    firstFile: String?, readerOptions: ReaderOptions, snapshot: String? = nil, snapshotDatabase: String = "",
    earlier: (() -> EarlierDDL?)? = nil, onIssue: (String) -> Void = { _ in }, onNote: (String) -> Void = { _ in }
  ) throws(BinlogError) -> (timeline: SchemaTimeline, snapshot: SchemaSnapshot.Report?) {
    var timeline = SchemaTimeline()
    if let firstFile, isRegularFile(firstFile), let input = try? BinlogInput(path: firstFile, options: readerOptions),
      (try? input.next()) != nil
    {
      timeline.adopt(input.format)
    }
    var report: SchemaSnapshot.Report?
    if let snapshot {
      let r = try SchemaSnapshot.load(path: snapshot, database: snapshotDatabase, into: &timeline)
      for issue in r.issues { onIssue(issue) }
      report = r
    } else if let found = earlier?() {
      timeline.replay(found.statements, fileOrder: found.files)
      onNote(found.note)
    }
    return (timeline, report)
  }
}

/// True for a regular file (not stdin, a pipe, a device or a directory): one that can be read
/// twice.
public func isRegularFile(_ path: String) -> Bool {
  guard path != "-" else { return false }
  var st = stat()
  return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
