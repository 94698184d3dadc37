import BinlogFormat
import BinlogQuery

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The inputs of a run as given on a command line.
public enum InputList {
  /// Expands directories into their binlog files and archives (stream order; a binlog present
  /// both plain and archived is read plain, with a note) and keeps files and '-' as given. Empty
  /// when nothing is left (a directory with no binlog is warned about).
  public static func expand(_ inputs: [String], report: Diagnostics) throws -> [String] {
    var out: [String] = []
    for p in inputs {
      if p == "-" {
        out.append(p)
        continue
      }
      var st = stat()
      if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
        let listing = try BinlogDirectory.listing(of: p)
        for note in listing.notes { report("note: \(note)") }
        if listing.files.isEmpty { report("warning: \(p) holds no binlog files (none starts with the binlog magic bytes)") }
        out.append(contentsOf: listing.files)
      } else {
        out.append(p)
      }
    }
    return out
  }
}
