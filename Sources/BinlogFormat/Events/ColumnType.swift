/// MySQL field type codes as they appear in Table_map events (enum_field_types).
public enum ColumnType: UInt8, Sendable {
  case decimal = 0, tiny = 1, short = 2, long = 3, float = 4, double = 5, null = 6, timestamp = 7
  case longlong = 8, int24 = 9, date = 10, time = 11, datetime = 12, year = 13, newdate = 14
  case varchar = 15, bit = 16, timestamp2 = 17, datetime2 = 18, time2 = 19, typedArray = 20
  case vector = 242, invalid = 243, bool = 244, json = 245, newdecimal = 246, enumType = 247
  case setType = 248, tinyBlob = 249, mediumBlob = 250, longBlob = 251, blob = 252
  case varString = 253, string = 254, geometry = 255

  public var name: String {
    switch self {
    case .decimal: return "DECIMAL"
    case .tiny: return "TINY"
    case .short: return "SHORT"
    case .long: return "LONG"
    case .float: return "FLOAT"
    case .double: return "DOUBLE"
    case .null: return "NULL"
    case .timestamp: return "TIMESTAMP"
    case .longlong: return "LONGLONG"
    case .int24: return "INT24"
    case .date: return "DATE"
    case .time: return "TIME"
    case .datetime: return "DATETIME"
    case .year: return "YEAR"
    case .newdate: return "NEWDATE"
    case .varchar: return "VARCHAR"
    case .bit: return "BIT"
    case .timestamp2: return "TIMESTAMP2"
    case .datetime2: return "DATETIME2"
    case .time2: return "TIME2"
    case .typedArray: return "TYPED_ARRAY"
    case .vector: return "VECTOR"
    case .invalid: return "INVALID"
    case .bool: return "BOOL"
    case .json: return "JSON"
    case .newdecimal: return "NEWDECIMAL"
    case .enumType: return "ENUM"
    case .setType: return "SET"
    case .tinyBlob: return "TINY_BLOB"
    case .mediumBlob: return "MEDIUM_BLOB"
    case .longBlob: return "LONG_BLOB"
    case .blob: return "BLOB"
    case .varString: return "VAR_STRING"
    case .string: return "STRING"
    case .geometry: return "GEOMETRY"
    }
  }

  /// Numeric types covered by the SIGNEDNESS optional metadata bitmap.
  public var isNumeric: Bool {
    switch self {
    case .tiny, .short, .int24, .long, .longlong, .float, .double, .newdecimal, .decimal: return true
    default: return false
    }
  }

  /// Bytes of per-column metadata this type carries in a Table_map event.
  public var metadataLength: Int {
    switch self {
    case .float, .double, .blob, .tinyBlob, .mediumBlob, .longBlob, .geometry, .json, .vector,
      .timestamp2, .datetime2, .time2:
      return 1
    case .varchar, .varString, .bit, .newdecimal, .string, .enumType, .setType, .decimal:
      return 2
    default: return 0
    }
  }
}
