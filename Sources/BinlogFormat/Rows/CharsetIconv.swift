#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// MySQL 8's gb18030, decoded through the C library's iconv (the other legacy charsets use CharsetTable).
enum CharsetIconv {
  /// iconv name of the charset behind a collation id, for the charsets Sluice does not decode itself.
  static func iconvName(collation id: UInt32) -> String? {
    let c = (id >= 1024 && id < 2048) ? id - 1024 : id
    switch c {
    // Every other legacy charset is in CharsetTable (the server's own tables); MariaDB has no
    // gb18030 to generate one from.
    case 248, 249, 250: return "GB18030"
    default: return nil
    }
  }

  nonisolated(unsafe) static var converters: [String: iconv_t] = [:]
  nonisolated(unsafe) static var failed: Set<String> = []
  nonisolated(unsafe) static var mutex = pthread_mutex_t()
  static let mutexReady: Bool = {
    pthread_mutex_init(&mutex, nil)
    return true
  }()

  /// Appends the UTF-8 form of `bytes` in `name`; false when iconv cannot convert them.
  static func appendUTF8(_ bytes: UnsafeRawBufferPointer, from name: String, into out: inout [UInt8]) -> Bool {
    _ = mutexReady
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    if failed.contains(name) { return false }
    let cd: iconv_t
    if let c = converters[name] {
      cd = c
    } else {
      let c = iconv_open("UTF-8", name)
      if c == iconv_t(bitPattern: -1) {
        failed.insert(name)
        return false
      }
      converters[name] = c!
      cd = c!
    }
    _ = iconv(cd, nil, nil, nil, nil)
    if bytes.isEmpty { return true }
    let capacity = bytes.count * 4 + 16
    var tmp = [UInt8](repeating: 0, count: capacity)
    var produced = 0
    let ok: Bool = tmp.withUnsafeMutableBytes { dst in
      var inPtr = UnsafeMutablePointer<CChar>(mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
      var inLeft = bytes.count
      var outPtr: UnsafeMutablePointer<CChar>? = dst.baseAddress!.assumingMemoryBound(to: CChar.self)
      var outLeft = capacity
      let r = withUnsafeMutablePointer(to: &inPtr) { ip in
        ip.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: 1) { ipp in
          iconv(cd, ipp, &inLeft, &outPtr, &outLeft)
        }
      }
      produced = capacity - outLeft
      return r != -1 && inLeft == 0
    }
    if !ok { return false }
    out.append(contentsOf: tmp[0..<produced])
    return true
  }
}
