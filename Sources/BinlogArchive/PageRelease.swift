import BinlogFormat
import BinlogIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Drops a mapped file's pages once a front-to-back pass is done with them, so archiving or
/// checking a file of any size keeps a few frames resident, not the file (issue 7). The pages
/// are file-backed and read-only: reading them again just faults them back in.
struct PageRelease {
  let file: MappedFile
  /// Everything before this offset has been released.
  private(set) var releasedUpTo = 0

  init(_ file: MappedFile) { self.file = file }

  /// Releases the pages wholly before `offset` not yet released.
  mutating func release(upTo offset: Int) {
    let end = Swift.min(offset, file.count)
    guard end > releasedUpTo else { return }
    file.dontNeed(offset: releasedUpTo, length: end - releasedUpTo)
    // dontNeed keeps the partial page at the end; it goes with the next range.
    releasedUpTo = end & ~(pageSize - 1)
  }

  private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}
