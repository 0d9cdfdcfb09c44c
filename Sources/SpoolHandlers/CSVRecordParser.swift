/// A streaming RFC 4180 CSV parser: bytes in, records (arrays of raw UTF-8 fields) out.
///
/// Fields may be quoted; inside quotes, commas, CR, LF and doubled quotes (`""` for `"`) are data. Records
/// end with CRLF or LF (a lone CR too). Completely empty lines are skipped. Strict where RFC 4180 is: a quote
/// inside an unquoted field, or anything but a separator after a closing quote, is an error. Memory is
/// bounded by the largest record (`maxRecordBytes`).
struct CSVRecordParser {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, afterCR }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [[UInt8]] = []
    private var fieldQuoted = false
    private var recordBytes = 0
    private let maxRecordBytes: Int
    /// Records completed so far (1-based number of the record being read is `records + 1`).
    private(set) var records = 0

    init(maxRecordBytes: Int = 16 * 1024 * 1024) { self.maxRecordBytes = maxRecordBytes }

    /// Parses `bytes`, calling `onRecord` with each completed record and its 1-based number.
    mutating func feed(_ bytes: [UInt8], onRecord: ([[UInt8]], Int) throws(FileHandlerError) -> Void) throws(FileHandlerError) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        for byte in bytes {
            switch state {
            case .afterCR:
                state = .fieldStart
                if byte == lf { continue }
                try startField(byte, onRecord: onRecord)
            case .fieldStart:
                try startField(byte, onRecord: onRecord)
            case .unquoted:
                switch byte {
                case comma: endField(); state = .fieldStart
                case cr: try endRecord(onRecord); state = .afterCR
                case lf: try endRecord(onRecord); state = .fieldStart
                case quote: throw .invalidCSV(row: records + 1, problem: "a quote inside an unquoted field — quote the whole field and double the quote")
                default: try append(byte)
                }
            case .quoted:
                if byte == quote { state = .quoteInQuoted } else { try append(byte) }
            case .quoteInQuoted:
                switch byte {
                case quote: try append(quote); state = .quoted
                case comma: endField(); state = .fieldStart
                case cr: try endRecord(onRecord); state = .afterCR
                case lf: try endRecord(onRecord); state = .fieldStart
                default: throw .invalidCSV(row: records + 1, problem: "unexpected character after a closing quote — double quotes inside a quoted field")
                }
            }
        }
    }

    /// The input ended: emits the last record if it had no line ending.
    mutating func finish(onRecord: ([[UInt8]], Int) throws(FileHandlerError) -> Void) throws(FileHandlerError) {
        switch state {
        case .quoted: throw .invalidCSV(row: records + 1, problem: "a quoted field is not closed before the end of the input")
        case .afterCR: break
        case .fieldStart: if !fields.isEmpty { try endRecord(onRecord) }
        case .unquoted, .quoteInQuoted: try endRecord(onRecord)
        }
        state = .fieldStart
    }

    private mutating func startField(_ byte: UInt8, onRecord: ([[UInt8]], Int) throws(FileHandlerError) -> Void) throws(FileHandlerError) {
        switch byte {
        case UInt8(ascii: "\""): fieldQuoted = true; state = .quoted
        case UInt8(ascii: ","): endField()
        case UInt8(ascii: "\r"): try endRecord(onRecord); state = .afterCR
        case UInt8(ascii: "\n"): try endRecord(onRecord)
        default: try append(byte); state = .unquoted
        }
    }

    private mutating func append(_ byte: UInt8) throws(FileHandlerError) {
        recordBytes += 1
        guard recordBytes <= maxRecordBytes else {
            throw .invalidCSV(row: records + 1, problem: "the record is longer than \(maxRecordBytes) bytes — is a quote missing?")
        }
        field.append(byte)
    }

    private mutating func endField() {
        fields.append(field)
        field = []
        fieldQuoted = false
    }

    private mutating func endRecord(_ onRecord: ([[UInt8]], Int) throws(FileHandlerError) -> Void) throws(FileHandlerError) {
        let emptyLine = fields.isEmpty && field.isEmpty && !fieldQuoted
        endField()
        let record = fields
        fields = []
        recordBytes = 0
        guard !emptyLine else { return }
        records += 1
        try onRecord(record, records)
    }
}
