import Foundation
import SpoolHandlers
import SpoolOutbox
import Testing

@Suite("spool.report streams a million rows in flat memory")
struct ReportMemoryTests {
    @Test("1,000,000 rows → CSV + JSON Lines: Python's csv module reads them back exactly; peak RSS grows < 64 MiB")
    func millionRows() throws {
        heavyTestLock.lock()
        defer { heavyTestLock.unlock() }
        let database = try ReportTestDatabase("million")
        defer { database.drop() }
        try database.createSignups(rows: 1_000_000)
        let expectedDigest = try database.connection.query("""
            SELECT md5(string_agg(id || '|' || email || '|' || coalesce(note, '') || '|' || plan || '|' || CASE WHEN verified THEN 't' ELSE 'f' END, E'\\n' ORDER BY id))
            FROM \(database.schema).signups
            """).row(0).string(0) ?? ""
        let definition = try database.definition([
            "name": "all-signups", "sql": "SELECT id, email, note, plan, verified, created_at FROM signups WHERE id >= :from ORDER BY id",
            "parameters": ["from": "int"], "formats": ["csv", "jsonl"], "timeout": "60s",
        ])
        PeakMemory.reset()
        let before = PeakMemory.kibibytes()
        let started = ContinuousClock.now
        let manifest = try database.runner([definition]).run(ReportJob(report: "all-signups", parameters: ["from": .int(1)]), jobID: "million").manifest
        let took = ContinuousClock.now - started
        let after = PeakMemory.kibibytes()
        #expect(manifest.rows == 1_000_000)

        let directory = database.reportsRoot + "/all-signups/"
        let csvPath = directory + (manifest.outputs.first { $0.format == "csv" }?.path.split(separator: "/").last.map(String.init) ?? "")
        let jsonlPath = directory + (manifest.outputs.first { $0.format == "jsonl" }?.path.split(separator: "/").last.map(String.init) ?? "")
        let script = """
            import csv, hashlib, json, sys
            rows, total, multiline, digest = 0, 0, 0, hashlib.md5()
            first = True
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                reader = csv.reader(f)
                header = next(reader)
                assert header == ['id', 'email', 'note', 'plan', 'verified', 'created_at'], header
                for row in reader:
                    if not first: digest.update(b'\\n')
                    first = False
                    digest.update('|'.join(row[:5]).encode())
                    rows += 1; total += int(row[0]); multiline += '\\n' in row[2]
            lines = 0
            with open(sys.argv[2], encoding='utf-8') as f:
                for line in f:
                    obj = json.loads(line); lines += 1
                    assert isinstance(obj['id'], int) and obj['verified'] in (True, False)
            print(rows, total, multiline, digest.hexdigest(), lines)
            """
        let output = try runPython(script, [csvPath, jsonlPath]).trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = output.split(separator: " ").map(String.init)
        print("[report memory] 1,000,000 rows in \(took): VmHWM \(before) KiB → \(after) KiB (+\(after - before) KiB); "
              + "outputs \(manifest.outputs.map { "\($0.format) \($0.bytes) B" }.joined(separator: ", ")); python: \(output)")
        #expect(fields.count == 5)
        #expect(fields.first == "1000000")
        #expect(fields.dropFirst().first == "500000500000")
        #expect(fields.dropFirst(2).first == String(1000 - 1))  // every 1000th, minus id 777000 (NULL)
        #expect(fields.last == "1000000")
        #expect(after - before < 64 * 1024, "peak RSS grew by \(after - before) KiB")
        #expect(fields.dropFirst(3).first == expectedDigest, "the CSV read back by Python matches the table")
    }
}
