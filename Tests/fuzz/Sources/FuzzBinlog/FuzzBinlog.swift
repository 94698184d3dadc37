import BinlogFormat
import BinlogIO
import BinlogIndex
import BinlogSchema
import CanalProtocol
import Exporters

#if canImport(Glibc)
  import Glibc
#endif

/// One scratch file the fuzzer's input is written to (the readers map files).
nonisolated(unsafe) private var scratchPath: String = {
  let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
  return "\(dir)/sluice-fuzz-\(getpid()).bin"
}()

/// Every byte string must end in output or a `BinlogError`: a trap, a crash or a hang here is
/// a bug. Checksums are verified or not by the first input byte, so that damaged events reach
/// the decoders instead of stopping at their CRC.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinlog(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let fd = open(scratchPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { return 0 }
  _ = write(fd, data, size)
  close(fd)
  let options = ReaderOptions(verifyChecksums: data[size - 1] & 1 == 1)
  let sink = OutputSink.memory()

  // Every exporter over one walk (as `export` runs them), with DDL replay.
  if let input = try? BinlogInput(path: scratchPath, options: options) {
    let schema = SchemaTracker()
    let ndjson = NDJSONExporter(sink: sink)
    ndjson.schema = schema
    let canal = CanalExporter(sink: sink)
    let sql = try? SQLExporter(sink: sink)
    var walker = BinlogWalker(source: input)
    _ = try? walker.run { w, ev in
      try? ndjson.consume(ev, walker: w)
      try? canal.consume(ev, walker: w)
      try? sql?.consume(ev, walker: w)
      sink.drainCaptured { _ in }
    }
    try? sql?.finish()
  }
  // The same bytes as a stream (stdin, pipes): the stream reader and its xid lookahead.
  let sfd = open(scratchPath, O_RDONLY)
  if sfd >= 0 {
    if let stream = try? ByteStreamBinlogReader(input: .descriptor(sfd, prefix: []), name: "fuzz", options: options) {
      let ndjson = NDJSONExporter(sink: sink)
      var walker = BinlogWalker(source: stream)
      _ = try? walker.run { w, ev in
        try? ndjson.consume(ev, walker: w)
        sink.drainCaptured { _ in }
      }
    }
    close(sfd)
  }
  // The index scanner, row counter and checksum thread, then a lookup through the index.
  if let (index, _) = try? IndexStore.build(path: scratchPath, options: options) {
    try? index.forEachRecord { _ in true }
  }
  sink.drainCaptured { _ in }
  return 0
}
