/// The `csv-to-jsonl` step: reads RFC 4180 CSV whose first record is the header and writes one JSON object
/// per record (`{"header1":"value1",…}` + `\n`), keys in header order, values as strings.
///
/// The input must be UTF-8 (a leading BOM is dropped); every record must have as many fields as the header.
final class CSVToJSONLinesStage: FileStage {
    private let next: FileStage
    private var parser = CSVRecordParser()
    private var utf8 = FileUTF8Validator()
    private var header: [[UInt8]]?
    private var out: [UInt8] = []
    private var started = false
    private(set) var rows: Int64 = 0
    private(set) var bytesIn: Int64 = 0
    private(set) var bytesOut: Int64 = 0

    init(next: FileStage) {
        self.next = next
        out.reserveCapacity(fileChunkSize * 2)
    }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        var chunk = chunk
        if !started, !chunk.isEmpty {
            started = true
            if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
        }
        bytesIn += Int64(chunk.count)
        utf8.feed(chunk)
        guard utf8.isValid else { throw .invalidCSV(row: parser.records + 1, problem: "the data is not UTF-8 text (or holds a NUL byte)") }
        try parser.feed(chunk) { record, row throws(FileHandlerError) in try self.take(record, row: row) }
    }

    func finish() throws(FileHandlerError) {
        guard utf8.isCompleteAndValid else { throw .invalidCSV(row: parser.records + 1, problem: "the data ends inside a UTF-8 sequence") }
        try parser.finish { record, row throws(FileHandlerError) in try self.take(record, row: row) }
        guard header != nil else { throw .invalidCSV(row: 1, problem: "there is no header row") }
        try flush()
        try next.finish()
    }

    private func take(_ record: [[UInt8]], row: Int) throws(FileHandlerError) {
        guard let header else {
            let names = Set(record)
            guard names.count == record.count else {
                throw .invalidCSV(row: 1, problem: "the header row repeats a column name")
            }
            self.header = record
            return
        }
        guard record.count == header.count else {
            throw .invalidCSV(row: row, problem: "\(record.count) fields, but the header has \(header.count)")
        }
        out.append(UInt8(ascii: "{"))
        for (index, value) in record.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CSVJSONEscaping.appendString(header[index], to: &out)
            out.append(UInt8(ascii: ":"))
            CSVJSONEscaping.appendString(value, to: &out)
        }
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        rows += 1
        if out.count >= fileChunkSize { try flush() }
    }

    private func flush() throws(FileHandlerError) {
        guard !out.isEmpty else { return }
        bytesOut += Int64(out.count)
        let chunk = out
        out.removeAll(keepingCapacity: true)
        try next.write(chunk)
    }
}
