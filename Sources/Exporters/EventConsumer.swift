import BinlogFormat
import BinlogIO
import BinlogSchema

/// What a walk over binlogs hands its events to, in binlog order, then `finish()`es: the NDJSON,
/// SQL, Canal and flat-JSON exporters, the event listing and the schema tracker alone. The
/// pipeline (BinlogPipeline) is generic over it, so the per-event call stays a direct one.
public protocol EventConsumer: AnyObject {
  /// One event of a walk over files, archives or a stream (`BinlogInput`). Not generic over the
  /// source: each conformer specializes its own generic `consume` for `BinlogInput` in its module,
  /// so a caller in another module calls specialized code, not a generic entry.
  func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws
  /// Writes what is still held back (called once, after the last event).
  func finish() throws
}

extension SQLExporter: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }
}

extension NDJSONExporter: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }

  /// Nothing is held back: every change is written as it is consumed.
  public func finish() throws {}
}

extension EventListing: EventConsumer {
  public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    func generic<S: EventSource>(_ w: BinlogWalker<S>) throws { try consume(ev, walker: w) }
    try generic(walker)
  }

  /// Nothing is held back: every event is listed as it is consumed.
  public func finish() throws {}
}

/// The schema tracker as a consumer: DDL replay alone (the tracker that a Canal exporter reads
/// names from), or beside another consumer (`then`).
public final class SchemaFeed<Next: EventConsumer>: EventConsumer {
  public let tracker: SchemaTracker?
  public let next: Next

  public init(_ tracker: SchemaTracker?, then next: Next) {
    self.tracker = tracker
    self.next = next
  }

  @inlinable public func consume(_ ev: WalkedEvent, walker: BinlogWalker<BinlogInput>) throws {
    if let tracker, SchemaTracker.takes(ev.raw.type) { tracker.consume(ev, file: walker.fileName) }
    try next.consume(ev, walker: walker)
  }

  public func finish() throws { try next.finish() }
}
