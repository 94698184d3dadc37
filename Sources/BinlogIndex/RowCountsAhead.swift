import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Row counts of rows events computed by the checksum thread (`ChecksumJob`), which reads the
/// events ahead of the parser anyway: it keeps its own table maps and counts the rows of each
/// uncompressed v1/v2 rows event with `RowCounter`, and the parser takes the count instead of
/// walking the row images itself.
///
/// The parser never waits for a count: when the one for an event is not there yet (the
/// checksum thread is behind, stopped, or declined the event), it counts the rows itself, so
/// the result is the same either way. Counts go through a ring of `capacity` entries guarded
/// by a mutex taken once per published batch, not per event.
final class RowCountsAhead: @unchecked Sendable {
  /// Rows events are at least 32 bytes and the producer is at most `ChecksumJob.lead` plus a
  /// chunk ahead of the parser: the ring never holds more than that many unread entries.
  static let capacity = 1 << 18
  private static let mask = capacity - 1
  private let offsets: UnsafeMutablePointer<UInt64>
  private let counts: UnsafeMutablePointer<UInt32>
  private let lock: UnsafeMutablePointer<pthread_mutex_t>

  // Shared, under `lock`.
  private var published = 0
  private var consumedShared = 0
  // Producer only.
  private var written = 0
  private var consumedSeen = 0
  private var stopped = false
  private var tables: [UInt64: RowsTable] = [:]
  private var lastTable: RowsTable?
  private var format: FormatDescription?
  private var postLengths = [UInt8](repeating: 0, count: 256)
  // Consumer only.
  private var read = 0
  private var known = 0
  /// After finding the checksum thread behind, the parser counts by itself up to here before
  /// asking again.
  private var askFrom: UInt64 = 0

  init() {
    offsets = .allocate(capacity: RowCountsAhead.capacity)
    counts = .allocate(capacity: RowCountsAhead.capacity)
    lock = .allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
  }

  deinit {
    pthread_mutex_destroy(lock)
    lock.deallocate()
    offsets.deallocate()
    counts.deallocate()
  }

  // MARK: producer (checksum thread)

  /// The format the following events are framed with (the file's Format_description). Only a
  /// plain v4 format is used; anything else stops the counting.
  func useFormat(_ f: FormatDescription) {
    guard f.binlogVersion == 4, f.headerLength == 19, f.typePermutation == nil else {
      stop()
      return
    }
    format = f
    for t in 0..<256 { postLengths[t] = UInt8(truncatingIfNeeded: Swift.min(255, f.postHeaderLength(EventType(UInt8(t))))) }
  }

  /// Looks at one event (not a Format_description) at `offset`. `parserPassed`: the parser is
  /// known to be past it (its rows are then not counted: the parser has done it).
  func see(_ ev: UnsafeRawBufferPointer, offset: Int, checksumLength: Int, parserPassed: Bool) {
    guard !stopped, let format else { return }
    let type = ev[4]
    switch type {
    case EventType.tableMap.rawValue:
      let raw = RawEvent(
        offset: UInt64(offset), header: EventHeader(v4: ev), bytes: ev, headerLength: 19, checksumLength: checksumLength)
      let body = raw.body
      guard body.count >= 6 else { return }
      let id =
        postLengths[Int(type)] == 6
        ? UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
        : (UInt64(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
          | UInt64(UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 4, as: UInt16.self))) << 32)
      if let m = lastTable, m.tableID == id, same(m.body, body) { return }
      if let m = tables[id], same(m.body, body) {
        lastTable = m
        return
      }
      guard let map = try? TableMapEvent(event: raw, format: format) else {
        // The parser reports it; without this map the counts would differ.
        tables[id] = nil
        lastTable = nil
        return
      }
      let m = RowsTable(body: Array(body), map: map, flavor: format.flavor)
      tables[map.tableID] = m
      lastTable = m
    case EventType.transactionPayload.rawValue:
      // Table maps inside compressed payloads are the parser's alone: stop here.
      stop()
    default:
      let t = EventType(type)
      guard t.isRows, !parserPassed else { return }
      let bodyEnd = ev.count - checksumLength
      guard bodyEnd >= 19 else { return }
      let body = UnsafeRawBufferPointer(rebasing: ev[19..<bodyEnd])
      guard let f = RowsFrame(body: body, type: t, post: Int(postLengths[Int(type)])) else { return }
      let m: RowsTable
      if let l = lastTable, l.tableID == f.tableID {
        m = l
      } else if let x = tables[f.tableID] {
        m = x
      } else {
        return
      }
      append(offset, UInt32(truncatingIfNeeded: RowCounter.count(f, table: m)))
    }
  }

  private func same(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && a.withUnsafeBytes { memcmp($0.baseAddress!, b.baseAddress!, b.count) } == 0
  }

  private func append(_ offset: Int, _ count: UInt32) {
    if written - consumedSeen >= RowCountsAhead.capacity - 1024 {
      publish()
      if written - consumedSeen >= RowCountsAhead.capacity - 1024 {
        stop()
        return
      }
    }
    offsets[written & RowCountsAhead.mask] = UInt64(offset)
    counts[written & RowCountsAhead.mask] = count
    written += 1
    if written & 255 == 0 { publish() }
  }

  /// Makes the entries written so far visible to the parser.
  func publish() {
    pthread_mutex_lock(lock)
    published = written
    consumedSeen = consumedShared
    pthread_mutex_unlock(lock)
  }

  /// No more counts (the parser counts the rest itself).
  func stop() {
    publish()
    stopped = true
  }

  // MARK: consumer (parser)

  /// The row count of the rows event at `offset`, when the checksum thread has it.
  func count(at offset: UInt64) -> Int? {
    var refreshed = offset < askFrom
    while true {
      while read < known {
        let o = offsets[read & RowCountsAhead.mask]
        if o < offset {
          read += 1
          continue
        }
        if o == offset {
          let c = counts[read & RowCountsAhead.mask]
          read += 1
          return Int(c)
        }
        return nil
      }
      if refreshed { return nil }
      pthread_mutex_lock(lock)
      known = published
      consumedShared = read
      pthread_mutex_unlock(lock)
      refreshed = true
      if read == known { askFrom = offset + 65536 }
    }
  }
}
