import BinlogFormat

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--skip-corrupt` over files: each file is scanned once per process (`CorruptRegionScan.scan`
/// over its mapping), and the regions found are kept for the run's summary and exit status.
extension CorruptRegionScan {
  private static let cache = PosixLock()
  nonisolated(unsafe) private static var scanned: [String: [SkippedRange]] = [:]

  /// The damaged regions of `file`, scanned once per process for a given file state (path,
  /// size, modification time) and options; `options.onSkippedRange` hears of each region once.
  public static func regions(of file: MappedFile, name: String, options: ReaderOptions) throws(BinlogError) -> [SkippedRange] {
    var st = stat()
    var key = "\(file.path)|\(file.count)|\(options.verifyChecksums)|\(options.maxEventSize)"
    if stat(file.path, &st) == 0 { key += "|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ino)" }
    if let known = cache.withLock({ scanned[key] }) { return known }
    let found = try scan(file.bytes, name: name, options: options)
    let first = cache.withLock { () -> Bool in
      if scanned[key] != nil { return false }
      scanned[key] = found
      return true
    }
    if first { for r in found { options.onSkippedRange?(r) } }
    return found
  }

  /// Every region found in this process so far (for a summary and the exit status).
  public static var allFound: [SkippedRange] {
    cache.withLock { scanned.values.flatMap { $0 } }
  }
}
