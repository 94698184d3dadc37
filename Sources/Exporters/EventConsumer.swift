import BinlogFormat
import BinlogSchema

/// What a walk over binlogs hands its events to, in binlog order, then `finish()`es: the NDJSON,
/// SQL, Canal and flat-JSON exporters, the event listing and the schema tracker alone. The
/// pipeline (BinlogPipeline) is generic over it, so the per-event call stays a direct one.
public protocol EventConsumer: AnyObject {
  func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws
  /// Writes what is still held back (called once, after the last event).
  func finish() throws
}

extension SQLExporter: EventConsumer {}

extension NDJSONExporter: EventConsumer {
  /// Nothing is held back: every change is written as it is consumed.
  public func finish() throws {}
}

extension EventListing: EventConsumer {
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

  @inlinable public func consume<S: EventSource>(_ ev: WalkedEvent, walker: BinlogWalker<S>) throws {
    tracker?.consume(ev, file: walker.fileName)
    try next.consume(ev, walker: walker)
  }

  public func finish() throws { try next.finish() }
}
