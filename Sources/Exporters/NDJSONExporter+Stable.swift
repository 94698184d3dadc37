import BinlogFormat

/// `export --stable`: the transaction number that replaces a line's place in the binlog.
struct StableNumbering {
  /// Transactions that had lines so far (the last one's number).
  var number: UInt64 = 0
  var start: UInt64 = .max
  var file = ""
}

extension NDJSONExporter {
  /// `{"tx":N`: the start of a `--stable` line. N counts the transactions that have lines, from
  /// 1; a transaction is the walker's (its start offset in its file), as for `xid` and `gtid`.
  /// Dropped: `file`, `pos`, `end` (they move when a fixture is recorded again), `ts`, `time`
  /// (event times follow the wall clock unless the workload sets them), `server_id`, `gtid`,
  /// `xid` and `thread_id` (they follow the server's history).
  func appendStableCommon<O: ByteAppender>(_ state: TransactionState, fileName: String, into out: inout O) {
    if state.startOffset != stableNumbering.start || fileName != stableNumbering.file {
      stableNumbering.number += 1
      stableNumbering.start = state.startOffset
      stableNumbering.file = fileName
    }
    JSONWriter.appendRaw("{\"tx\":", into: &out)
    JSONWriter.appendUInt(stableNumbering.number, into: &out)
  }
}
