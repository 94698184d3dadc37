import BinlogFormat
import BinlogSchema
import Foundation
import SluiceTestSupport
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// What the server tests over real binlogs share: a core serving them, a client draining it, and
/// the Entry mapper's client view that what is served must equal.
enum ServedBinlogs {
  /// The destination `example` over `paths` (warnings dropped), served from `start` when given.
  static func destination(
    _ paths: [String], readerOptions: ReaderOptions = ReaderOptions(), start: CanalStartPoint? = nil,
    schema: SchemaTimeline? = nil
  ) -> CanalDestination {
    let options = quietOptions(forClients: false)
    return CanalDestination(name: "example") {
      guard let start else { return try CanalBinlogEntrySource(paths: paths, options: options, readerOptions: readerOptions) }
      return try CanalBinlogEntrySource(
        paths: paths, options: options, readerOptions: readerOptions, start: start, schema: schema)
    }
  }

  /// A core serving `destination(paths, ...)` in ITEMSIZE batches.
  static func core(
    _ paths: [String], readerOptions: ReaderOptions = ReaderOptions(), start: CanalStartPoint? = nil,
    schema: SchemaTimeline? = nil
  ) throws -> CanalServerCore {
    var config = CanalServerConfiguration()
    config.batchMode = .itemSize
    return try CanalServerCore(
      configuration: config,
      destinations: [destination(paths, readerOptions: readerOptions, start: start, schema: schema)])
  }

  /// Every Entry a client gets from `core`, serialized: SUB, then GET `fetch` and ACK until the
  /// empty batch. `complete` is false when SUB or a GET failed (the server answered with an error).
  static func drain(_ core: CanalServerCore, fetch: Int32) throws -> (entries: [Data], complete: Bool) {
    guard case .ack = core.handle(ClientPackets.sub(), channel: "t") else { return ([], false) }
    var out: [Data] = []
    while true {
      guard let bytes = core.handle(ClientPackets.get(fetch: fetch), channel: "t").packetBytes else {
        return (out, false)
      }
      let messages = try CanalMessages(serializedBytes: try CanalPacket(serializedBytes: bytes).body)
      if messages.batchID == -1 { break }
      out += messages.messages
      _ = core.handle(ClientPackets.ack(messages.batchID), channel: "t")
    }
    return (out, true)
  }

  /// The entries the Entry mapper's client view gives for `paths`: what a client of the server
  /// must receive. `configure` sets the stream up first (a schema, a table map source).
  /// Serialized by SwiftProtobuf from Column messages, not by the server's direct encoding.
  static func clientView(_ paths: [String], configure: (CanalEntryStream) -> Void = { _ in }) throws -> [CanalEntry] {
    let stream = try CanalEntryStream(paths: paths, options: quietOptions())
    stream.mapper.encodeRowsDirectly = false
    configure(stream)
    var entries: [CanalEntry] = []
    while true {
      let chunk = try stream.nextEntries(max: 64)
      if chunk.isEmpty { break }
      entries += try chunk.map { try $0.mapped.entry() }
    }
    return entries
  }
}
