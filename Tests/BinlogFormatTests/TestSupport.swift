import BinlogFormat
import BinlogIO
import Foundation
import XCTest

/// A compact record of one event, safe to keep after the mapping is gone.
struct EventRecord: Equatable {
  var offset: UInt64
  var end: UInt64
  var type: EventType
  var timestamp: UInt32
  var serverID: UInt32
  var size: Int
  var flags: UInt16
  var inPayload: Bool
}

/// Walks a whole file, returning the events and the error that stopped it (if any).
func walkFile(
  _ path: String, options: ReaderOptions = ReaderOptions(), visit: ((WalkedEvent, BinlogWalker<BinlogInput>) -> Void)? = nil
) -> ([EventRecord], BinlogError?) {
  var records: [EventRecord] = []
  do {
    let input = try BinlogInput(path: path, options: options)
    var walker = BinlogWalker(source: input)
    try walker.run { w, ev in
      records.append(
        EventRecord(
          offset: ev.raw.offset, end: ev.inPayload ? ev.fileEndOffset : ev.raw.endOffset, type: ev.raw.type,
          timestamp: ev.raw.header.timestamp, serverID: ev.raw.header.serverID, size: ev.raw.bytes.count,
          flags: ev.raw.header.flags, inPayload: ev.inPayload))
      visit?(ev, w)
    }
    return (records, nil)
  } catch let e as BinlogError {
    return (records, e)
  } catch {
    return (records, BinlogError(.io, "\(error)"))
  }
}
