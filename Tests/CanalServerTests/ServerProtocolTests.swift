import Foundation
import NIOCore
import SluiceTestSupport
import SwiftProtobuf
import XCTest

@testable import CanalProtocol
@testable import CanalServer

/// Password scramble, table filter semantics, packet bytes and GET time units.
final class ServerProtocolTests: XCTestCase {

  func testSHA1KnownVectors() {
    XCTAssertEqual(
      CanalScramble.encodeHex(SHA1.hash([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    XCTAssertEqual(
      CanalScramble.encodeHex(SHA1.hash(Array("abc".utf8))),
      "a9993e364706816aba3e25717850c26c9cd0d89d")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    XCTAssertEqual(
      CanalScramble.encodeHex(SHA1.hash(long)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    XCTAssertEqual(
      CanalScramble.encodeHex(SHA1.hash([UInt8](repeating: 0x61, count: 1_000))),
      "291e9a6c66994949b57ba5e650361e98fc36b1ba")
  }

  func testPasswordHashIsMySQLNativeHash() {
    // MySQL: PASSWORD('password') = *2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19
    let credentials = CanalServerCredentials(user: nil, password: "password")
    XCTAssertEqual(
      credentials.passwordHash.map(CanalScramble.encodeHex),
      "2470c0c06dee42fd1618bb99005adca2ec9d1e19")
    XCTAssertEqual(
      try CanalServerCredentials(
        user: nil, passwordHashHex: "2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"),
      credentials)
    XCTAssertThrowsError(try CanalServerCredentials(user: nil, passwordHashHex: "abc"))
  }

  func testScrambledPasswordIsAcceptedAndOthersAreNot() {
    let seed: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    let credentials = CanalServerCredentials(user: "canal", password: "secret")
    let token = Array(CanalScramble.clientToken(password: "secret", seed: seed).utf8)
    XCTAssertEqual(token.count, 40)
    XCTAssertTrue(credentials.accepts(username: "canal", password: token, seed: seed))
    XCTAssertTrue(
      credentials.accepts(
        username: "canal",
        password: Array(String(decoding: token, as: UTF8.self).uppercased().utf8), seed: seed),
      "hex case is ignored")
    XCTAssertFalse(
      credentials.accepts(username: "other", password: token, seed: seed), "wrong user")
    XCTAssertFalse(
      credentials.accepts(username: "canal", password: token, seed: [8, 7, 6, 5, 4, 3, 2, 1]),
      "other seed")
    let wrong = Array(CanalScramble.clientToken(password: "Secret", seed: seed).utf8)
    XCTAssertFalse(
      credentials.accepts(username: "canal", password: wrong, seed: seed), "wrong password")
    XCTAssertFalse(credentials.accepts(username: "canal", password: [], seed: seed), "no password")
    XCTAssertFalse(
      credentials.accepts(username: "canal", password: Array("secret".utf8), seed: seed),
      "clear text")
  }

  func testOpenServerAcceptsAnyoneAndUserOnlyServerChecksTheName() {
    XCTAssertTrue(CanalServerCredentials.open.accepts(username: "", password: [], seed: []))
    XCTAssertTrue(
      CanalServerCredentials.open.accepts(username: "x", password: Array("garbage".utf8), seed: [1])
    )
    let userOnly = CanalServerCredentials(user: "canal", password: nil)
    XCTAssertTrue(userOnly.accepts(username: "canal", password: Array("anything".utf8), seed: [1]))
    XCTAssertFalse(userOnly.accepts(username: "root", password: [], seed: [1]))
  }

  // MARK: Table filter

  func testFilterMatchesWholeNameCaseInsensitively() throws {
    let all = try CanalTableFilter(CanalTableFilter.matchAllPattern)
    XCTAssertTrue(all.matches("test.t1"))
    let two = try CanalTableFilter("test\\.t1,shop\\..*")
    XCTAssertTrue(two.matches("test.t1"))
    XCTAssertTrue(two.matches("TEST.T1"), "the name is lower-cased and matching ignores case")
    XCTAssertTrue(two.matches("shop.orders"))
    XCTAssertFalse(two.matches("test.t10"), "each part must match the whole name")
    XCTAssertFalse(two.matches("xtest.t1"))
    let upper = try CanalTableFilter("Test\\.T1")
    XCTAssertTrue(upper.matches("test.t1"))
  }

  func testFilterKeepsCommasInsideRegexGroups() throws {
    XCTAssertEqual(
      CanalTableFilter.split("db\\.t_\\d{1,2},a\\.[b,c],(x|y)\\.z,,q\\,r"),
      ["db\\.t_\\d{1,2}", "a\\.[b,c]", "(x|y)\\.z", "q\\,r"])
    let f = try CanalTableFilter("db\\.t_\\d{1,2}")
    XCTAssertTrue(f.matches("db.t_7"))
    XCTAssertTrue(f.matches("db.t_42"))
    XCTAssertFalse(f.matches("db.t_123"))
  }

  func testEmptyFilterAnswersItsDefault() throws {
    XCTAssertTrue(try CanalTableFilter("").matches("a.b"))
    XCTAssertFalse(try CanalTableFilter("", emptyValue: false).matches("a.b"))
    XCTAssertTrue(
      try CanalTableFilter("a\\.b").matches("") == true, "an empty name answers the default")
    XCTAssertThrowsError(try CanalTableFilter("a\\.(b"))
  }

  // MARK: Packets

  func testHandshakeAckAndEmptyBatchBytesMatchTheJavaServer() {
    let seed: [UInt8] = [0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8]
    XCTAssertEqual(
      CanalServerPackets.handshake(seed: seed),
      [0x10, 0x01, 0x18, 0x01, 0x2A, 0x0A, 0x12, 0x08] + seed)
    XCTAssertEqual(CanalServerPackets.ack(), [0x10, 0x01, 0x18, 0x03])
    XCTAssertEqual(
      CanalServerPackets.emptyMessages(),
      [0x10, 0x01, 0x18, 0x07, 0x2A, 0x0B, 0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
  }

  func testRawMessagesPacketHasNoVersionAndDecodes() throws {
    let entries = ServerFixtures.transactions(2).map(\.bytes)
    let bytes = CanalServerPackets.messages(batchID: 300, entries: entries)
    XCTAssertEqual(Array(bytes.prefix(3)), [0x18, 0x07, 0x2A], "type then body, no version field")
    let packet = try CanalPacket(serializedBytes: bytes)
    XCTAssertNil(packet.versionPresent)
    XCTAssertEqual(packet.type, .messages)
    let messages = try CanalMessages(serializedBytes: packet.body)
    XCTAssertEqual(messages.batchID, 300)
    XCTAssertEqual(messages.messages, entries.map { Data($0) })
    // The builder would produce the same body.
    var built = CanalMessages()
    built.batchID = 300
    built.messages = entries.map { Data($0) }
    XCTAssertEqual(packet.body, try built.serializedBytes())
  }

  func testErrorPacket() throws {
    let bytes = CanalServerPackets.error(
      CanalServerError(code: 400, message: "auth failed for user:x"))
    let packet = try CanalPacket(serializedBytes: bytes)
    XCTAssertEqual(packet.version, 1)
    XCTAssertEqual(packet.type, .ack)
    let ack = try CanalAck(serializedBytes: packet.body)
    XCTAssertEqual(ack.errorCode, 400)
    XCTAssertEqual(ack.errorMessage, "auth failed for user:x")
  }

  // MARK: GET timeout units

  func testGetTimeoutUnits() {
    XCTAssertEqual(CanalSessionHandler.timeAmount(5, unit: 3), .seconds(5))
    XCTAssertEqual(CanalSessionHandler.timeAmount(5, unit: 2), .milliseconds(5))
    XCTAssertEqual(
      CanalSessionHandler.timeAmount(5, unit: -1), .milliseconds(5), "other units are ms")
    XCTAssertEqual(CanalSessionHandler.timeAmount(5, unit: 1), .microseconds(5))
    XCTAssertEqual(CanalSessionHandler.timeAmount(2, unit: 4), .minutes(2))
    XCTAssertNil(CanalSessionHandler.timeAmount(Int64.max, unit: 6))
  }
}
