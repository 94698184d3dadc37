import BinlogFormat
import BinlogIO

/// What `sluice info` reports about one binlog file, gathered in one pass.
public struct FileSummary: Sendable {
  public var file: String
  public var size: UInt64 = 0
  public var format: FormatDescription?
  /// Number of CRC32 checksums verified (0 when the file has none or verification is off).
  public var checksumsVerified = 0
  public var checksumVerification: Bool = true
  /// Times of the first and last events that carry the file's data (not Format_description,
  /// Rotate, Stop and the other events that describe the file: `EventType.describesFile`).
  public var firstTimestamp: UInt32?
  public var lastTimestamp: UInt32?
  /// The first Format_description's time: when the file was opened (a restarted server can
  /// open a file years from its data's times).
  public var formatDescriptionTimestamp: UInt32?
  /// The Stop event's time: the server's shutdown.
  public var stopTimestamp: UInt32?
  public var eventCount = 0
  public var eventCounts: [EventType: Int] = [:]
  /// Events found inside Transaction_payload events.
  public var innerEventCount = 0
  public var innerEventCounts: [EventType: Int] = [:]
  public var transactions = 0
  public var firstGTID: GTID?
  public var lastGTID: GTID?
  public var previousGTIDs: GTIDSet?
  public var mariaGTIDList: [MariaGTID]?
  public var lastEventType: EventType?
  public var rotateTo: String?
  /// Offset just past the last complete event read.
  public var endOffset: UInt64 = 4
  public var error: BinlogError?
  public var formatDescriptions = 0
  /// Regions left out with `--skip-corrupt` (`ReaderOptions.skipCorrupt`).
  public var skipped: [SkippedRange] = []

  public init(file: String) { self.file = file }

  public enum Ending: String, Sendable {
    case stop = "Stop"
    case rotate = "Rotate"
    case open = "no Stop or Rotate (file still being written, or the server stopped uncleanly)"
    case error = "error"
  }

  public var ending: Ending {
    if error != nil { return .error }
    if lastEventType == .stop { return .stop }
    if lastEventType == .rotate { return .rotate }
    return .open
  }

  /// Walks `source` to the end (or the first error) and summarizes it.
  public static func scan<S: EventSource>(_ source: S, size: UInt64, verify: Bool) -> FileSummary {
    var s = FileSummary(file: source.name)
    s.size = size
    s.checksumVerification = verify
    var walker = BinlogWalker(source: source)
    var lastStart: UInt64 = .max
    // Counted by type code in flat arrays, not a dictionary update per event; turned into the
    // dictionaries at the end.
    var outer = [Int](repeating: 0, count: 256)
    var inner = [Int](repeating: 0, count: 256)
    do {
      try walker.run { w, ev in
        if ev.inPayload {
          s.innerEventCount += 1
          inner[Int(ev.raw.type.rawValue)] += 1
        } else {
          s.eventCount += 1
          outer[Int(ev.raw.type.rawValue)] += 1
          s.endOffset = ev.fileEndOffset
          s.lastEventType = ev.raw.type
          let ts = ev.raw.header.timestamp
          if ev.raw.type == .formatDescription, s.formatDescriptionTimestamp == nil { s.formatDescriptionTimestamp = ts }
          if ev.raw.type == .stop { s.stopTimestamp = ts }
          if ts != 0, !ev.raw.type.describesFile {
            if s.firstTimestamp == nil { s.firstTimestamp = ts }
            s.lastTimestamp = ts
          }
        }
        switch ev.body {
        case .formatDescription(let f):
          s.formatDescriptions += 1
          if s.format == nil { s.format = f }
        case .startV3(let f):
          if s.format == nil { s.format = f }
        case .previousGTIDs(let p):
          if s.previousGTIDs == nil { s.previousGTIDs = p.gtids }
        case .mariaGTIDList(let l):
          if s.mariaGTIDList == nil { s.mariaGTIDList = l.gtids }
        case .rotate(let r):
          s.rotateTo = "\(r.nextFile):\(r.position)"
        default: break
        }
        if let g = w.transaction.gtid, w.transaction.startOffset == ev.raw.offset, ev.raw.type.isGTID {
          if s.firstGTID == nil { s.firstGTID = g }
          s.lastGTID = g
        }
        if w.transaction.ended, w.transaction.startOffset != lastStart {
          lastStart = w.transaction.startOffset
          s.transactions += 1
        }
      }
    } catch let e as BinlogError {
      s.error = e
    } catch {
      s.error = BinlogError(.io, "\(error)", file: source.name)
    }
    for t in 0..<256 {
      if outer[t] > 0 { s.eventCounts[EventType(UInt8(t))] = outer[t] }
      if inner[t] > 0 { s.innerEventCounts[EventType(UInt8(t))] = inner[t] }
    }
    if s.format == nil, let f = walker.source.format as FormatDescription?, !f.serverVersion.isEmpty {
      s.format = f
    }
    s.checksumsVerified = checksumCount(walker.source)
    if let i = walker.source as? BinlogInput { s.skipped = i.skipped }
    return s
  }

  static func checksumCount<S: EventSource>(_ s: S) -> Int {
    if let i = s as? BinlogInput { return i.checksumsVerified }
    if let m = s as? MappedBinlogReader { return m.framer.checksumsVerified }
    if let c = s as? any CompressedBinlogSource { return c.checksumsVerified }
    return 0
  }
}
