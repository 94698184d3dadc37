/// MySQL field type codes as they appear in Table_map events (enum_field_types).
public enum ColumnType: UInt8, Sendable {
  case decimal = 0
  case tiny = 1
  case short = 2
  case long = 3
  case float = 4
  case double = 5
  case null = 6
  case timestamp = 7
  case longlong = 8
  case int24 = 9
  case date = 10
  case time = 11
  case datetime = 12
  case year = 13
  case newdate = 14
  case varchar = 15
  case bit = 16
  case timestamp2 = 17
  case datetime2 = 18
  case time2 = 19
  case typedArray = 20
  case vector = 242
  case invalid = 243
  case bool = 244
  case json = 245
  case newdecimal = 246
  case enumType = 247
  case setType = 248
  case tinyBlob = 249
  case mediumBlob = 250
  case longBlob = 251
  case blob = 252
  case varString = 253
  case string = 254
  case geometry = 255

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
