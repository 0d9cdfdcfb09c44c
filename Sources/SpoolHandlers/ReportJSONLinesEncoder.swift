import SpoolOutbox

/// Encodes rows as JSON Lines: one object per row, keys in column order. `int2`/`int4`/`int8` columns are
/// JSON numbers, `bool` is `true`/`false`, `json`/`jsonb` are embedded as they are; everything else is a
/// string (so numerics and floats keep their exact text). NULL is `null`.
struct ReportJSONLinesEncoder {
    private let keys: [[UInt8]]
    private let kinds: [Kind]

    private enum Kind { case number, boolean, json, string }

    init(columns: PostgresColumns) {
        keys = columns.names.map { name in
            var key: [UInt8] = []
            CSVJSONEscaping.appendString(name.utf8, to: &key)
            return key
        }
        kinds = columns.typeOIDs.map { oid in
            switch oid {
            case 20, 21, 23: return .number
            case 16: return .boolean
            case 114, 3802: return .json
            default: return .string
            }
        }
    }

    func appendRow(_ values: [String?], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() where index < keys.count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: keys[index])
            out.append(UInt8(ascii: ":"))
            guard let value else { out.append(contentsOf: "null".utf8); continue }
            switch kinds[index] {
            case .number, .json: out.append(contentsOf: value.utf8)
            case .boolean: out.append(contentsOf: (value == "t" || value == "true" ? "true" : "false").utf8)
            case .string: CSVJSONEscaping.appendString(value.utf8, to: &out)
            }
        }
        out.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
    }
}
