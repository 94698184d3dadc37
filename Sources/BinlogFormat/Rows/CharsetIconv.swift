#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Legacy MySQL charsets (cp1251, latin2, gbk, sjis, ...) decoded through the C library's iconv.
enum CharsetIconv {
  /// iconv name of the charset behind a collation id, for the charsets Sluice does not decode itself.
  static func iconvName(collation id: UInt32) -> String? {
    let c = (id >= 1024 && id < 2048) ? id - 1024 : id
    switch c {
    case 1, 84: return "BIG5"
    case 2, 9, 21, 27, 77: return "ISO-8859-2"
    case 4, 80: return "CP850"
    case 7, 74: return "KOI8-R"
    case 12, 91: return "EUC-JP"
    case 13, 88: return "SHIFT_JIS"
    case 14, 23, 50, 51, 52: return "CP1251"
    case 16, 71: return "ISO-8859-8"
    case 18, 89: return "TIS-620"
    case 19, 85: return "EUC-KR"
    case 20, 41, 42, 79: return "ISO-8859-13"
    case 22, 75: return "KOI8-U"
    case 24, 86: return "GB2312"
    case 25, 70: return "ISO-8859-7"
    case 26, 34, 44, 66, 99: return "CP1250"
    case 28, 87: return "GBK"
    case 29, 58, 59: return "CP1257"
    case 30, 78: return "ISO-8859-9"
    case 32, 64: return "ARMSCII-8"
    case 36, 68: return "CP866"
    case 38, 43: return "MACCENTRALEUROPE"
    case 39, 53: return "MACINTOSH"
    case 40, 81: return "CP852"
    case 57, 67: return "CP1256"
    case 95, 96: return "CP932"
    case 97, 98: return "EUC-JP-MS"
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
