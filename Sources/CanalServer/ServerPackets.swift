import CanalProtocol
import NIOCore
import SwiftProtobuf

/// The packets a Canal server writes, byte for byte as the Java server does (canal-protocol.md §3.2–§3.6).
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Builders for server → client `Packet` bodies (without the 4-byte length prefix).
public enum CanalServerPackets {
  /// `Packet{version=1, type=HANDSHAKE, body=Handshake{seeds}}` (§3.3 step 1).
  public static func handshake(seed: [UInt8]) -> [UInt8] {
    var body = CanalHandshake()
    body.seeds = Data(seed)
    return packet(type: .handshake, body: body)
  }

  /// `Packet{version=1, type=ACK}` with an empty Ack: `10 01 18 03`.
  public static func ack() -> [UInt8] {
    packet(type: .ack, body: CanalAck())
  }

  /// `Packet{version=1, type=ACK, body=Ack{error_code, error_message}}`.
  public static func error(_ error: CanalServerError) -> [UInt8] {
    var body = CanalAck()
    body.errorCode = error.code
    body.errorMessage = error.message
    return packet(type: .ack, body: body)
  }

  /// The empty batch: `Packet{version=1, type=MESSAGES, body=Messages{batch_id=-1}}`.
  public static func emptyMessages() -> [UInt8] {
    var body = CanalMessages()
    body.batchID = -1
    return packet(type: .messages, body: body)
  }

  /// A non-empty batch in Canal's raw-entry form: `type=MESSAGES` only (no version field), then
  /// the Messages body with each Entry's bytes copied as they are.
  public static func messages(batchID: Int64, entries: [[UInt8]]) -> [UInt8] {
    var frame = messagesFrame(batchID: batchID, entries: entries, allocator: ByteBufferAllocator())
    frame.moveReaderIndex(forwardBy: 4)
    return Array(frame.readableBytesView)
  }

  /// The whole frame of a non-empty batch as the socket carries it: the 4-byte big-endian length
  /// (§3.2), then the `messages(batchID:entries:)` packet, in one buffer. (The server writes the
  /// same bytes as `writeMessagesHead` and each entry's own field buffer, without this copy.)
  public static func messagesFrame(batchID: Int64, entries: [[UInt8]], allocator: ByteBufferAllocator) -> ByteBuffer {
    var out = allocator.buffer(capacity: 0)
    writeMessagesFrame(batchID: batchID, entries: entries, into: &out)
    return out
  }

  /// `messagesFrame` written over `out` (cleared first; its memory reused when no one else holds
  /// it, e.g. when the previous reply's write has finished).
  public static func writeMessagesFrame(batchID: Int64, entries: [[UInt8]], into out: inout ByteBuffer) {
    let fieldsLength = entries.reduce(0) { $0 + 1 + varintSize(UInt64($1.count)) + $1.count }
    writeMessagesHead(batchID: batchID, fieldsLength: fieldsLength, into: &out)
    out.reserveCapacity(minimumWritableBytes: fieldsLength)
    for entry in entries {
      out.writeInteger(UInt8(0x12))  // Messages field 2 (messages), length-delimited
      writeVarint(UInt64(entry.count), to: &out)
      out.writeBytes(entry)
    }
  }

  /// The start of a non-empty batch's frame, over `out` (cleared first): the 4-byte length, the
  /// packet's type and body tag, the Messages length and batch id, for entries whose `Messages`
  /// fields (`PositionedEntry.field`: tag 2, length, Entry) take `fieldsLength` bytes and follow
  /// as they are. Head and fields written together are `messagesFrame`'s bytes.
  public static func writeMessagesHead(batchID: Int64, fieldsLength: Int, into out: inout ByteBuffer) {
    let bodyLength = 1 + varintSize(UInt64(bitPattern: batchID)) + fieldsLength
    let packetLength = 2 + 1 + varintSize(UInt64(bodyLength)) + bodyLength
    out.clear(minimumCapacity: 32)
    out.writeInteger(Int32(truncatingIfNeeded: packetLength), endianness: .big)
    out.writeInteger(UInt8(0x18))  // field 3 (type), varint
    out.writeInteger(UInt8(CanalPacketType.messages.rawValue))
    out.writeInteger(UInt8(0x2A))  // field 5 (body), length-delimited
    writeVarint(UInt64(bodyLength), to: &out)
    out.writeInteger(UInt8(0x08))  // Messages field 1 (batch_id), varint
    writeVarint(UInt64(bitPattern: batchID), to: &out)
  }

  static func writeVarint(_ value: UInt64, to out: inout ByteBuffer) {
    var v = value
    while v >= 0x80 {
      out.writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    out.writeInteger(UInt8(v))
  }

  static func packet(type: CanalPacketType, body: some SwiftProtobuf.Message) -> [UInt8] {
    var packet = CanalPacket()
    packet.version = 1
    packet.type = type
    // Serializing these generated messages cannot fail: they have no required fields.
    packet.body = (try? body.serializedBytes()) ?? Data()
    return (try? packet.serializedBytes()) ?? []
  }

  static func varintSize(_ value: UInt64) -> Int {
    var v = value
    var n = 1
    while v >= 0x80 {
      v >>= 7
      n += 1
    }
    return n
  }
}

/// An error reply: Canal's code and message, and whether the server closes the connection after
/// writing it.
public struct CanalServerError: Error, CustomStringConvertible, Sendable, Equatable {
  /// 400 generic failure, 401 missing destination or client id, 402 ack of batch 0.
  public var code: Int32
  public var message: String
  /// Close the connection once the reply is written. Set for errors to requests the client does
  /// not read a reply for (CLIENTACK, CLIENTROLLBACK), for a failed authentication and for
  /// broken framing: the client cannot stay in step.
  public var closesConnection: Bool

  public init(code: Int32, message: String, closesConnection: Bool = false) {
    self.code = code
    self.message = message
    self.closesConnection = closesConnection
  }

  public var description: String { "error \(code): \(message)" }

  static func authFailed(user: String) -> CanalServerError {
    CanalServerError(code: 400, message: "auth failed for user:\(user)", closesConnection: true)
  }

  /// 401 for a SUB/UNSUB/GET/CLIENTACK/CLIENTROLLBACK without destination or client id.
  static func missingIdentity(kind: String, request: some SwiftProtobuf.Message) -> CanalServerError {
    CanalServerError(
      code: 401, message: "destination or clientId is null. \(kind): \(request.textFormatString())")
  }

  static func unsupported(_ type: CanalPacketType) -> CanalServerError {
    CanalServerError(code: 400, message: "packet type: \(javaName(of: type)) is NOT supported!")
  }

  /// Canal's catch-all: `something goes wrong with channel: <channel>, exception: <exception>`.
  /// Our "stack trace" is the exception's class and message line only.
  static func exception(channel: String, _ exceptionClass: String, _ text: String)
    -> CanalServerError
  {
    CanalServerError(
      code: 400,
      message:
        "something goes wrong with channel: \(channel), exception: \(exceptionClass): \(text)")
  }

  static let serverException = "com.alibaba.otter.canal.server.exception.CanalServerException"
  static let metaException = "com.alibaba.otter.canal.meta.exception.CanalMetaManagerException"
  static let numberFormatException = "java.lang.NumberFormatException"

  /// The Java enum constant name, as Canal prints it.
  static func javaName(of type: CanalPacketType) -> String {
    switch type {
    case .packagetypecompatibleproto2: return "PACKAGETYPECOMPATIBLEPROTO2"
    case .handshake: return "HANDSHAKE"
    case .clientauthentication: return "CLIENTAUTHENTICATION"
    case .ack: return "ACK"
    case .subscription: return "SUBSCRIPTION"
    case .unsubscription: return "UNSUBSCRIPTION"
    case .get: return "GET"
    case .messages: return "MESSAGES"
    case .clientack: return "CLIENTACK"
    case .shutdown: return "SHUTDOWN"
    case .dump: return "DUMP"
    case .heartbeat: return "HEARTBEAT"
    case .clientrollback: return "CLIENTROLLBACK"
    case .UNRECOGNIZED: return "UNRECOGNIZED"
    }
  }
}
