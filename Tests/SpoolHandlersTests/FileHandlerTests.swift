import Crypto
import Foundation
import SpoolHandlers
import SpoolTestSupport
import Testing

@Suite("spool.file handler on real files")
struct FileHandlerTests {
    static let pngHeader: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [UInt8](repeating: 7, count: 64)

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test("configuration parses and names the file and key in errors")
    func configuration() throws {
        let parsed = try FileHandlerConfiguration(dictionary: [
            "source_root": "/srv/in", "destination_root": "/srv/out", "max_bytes": 1024, "allowed_types": ["png", "CSV"],
        ], file: "jobs/spool.yaml", key: "files")
        #expect(parsed.sourceRoot == "/srv/in" && parsed.destinationRoot == "/srv/out")
        #expect(parsed.maxBytes == 1024 && parsed.allowedTypes == [.png, .csv])
        let defaults = try FileHandlerConfiguration(dictionary: ["source_root": "/a", "destination_root": "/b"], file: "f.yaml", key: "files")
        #expect(defaults.maxBytes == FileHandlerConfiguration.defaultMaxBytes && defaults.allowedTypes.count == FileType.allCases.count)

        let cases: [([String: Any], String)] = [
            (["destination_root": "/b"], "f.yaml: files.source_root: missing"),
            (["source_root": "relative", "destination_root": "/b"], "f.yaml: files.source_root: must be an absolute"),
            (["source_root": "/a", "destination_root": "/b", "max_bytes": "lots"], "f.yaml: files.max_bytes: must be a positive"),
            (["source_root": "/a", "destination_root": "/b", "max_bytes": -1], "f.yaml: files.max_bytes: must be a positive"),
            (["source_root": "/a", "destination_root": "/b", "allowed_types": ["png", "exe"]], "f.yaml: files.allowed_types: unknown type exe"),
            (["source_root": "/a", "destination_root": "/b", "allowed_type": ["png"]], "f.yaml: files.allowed_type: unknown key"),
        ]
        for (dictionary, expected) in cases {
            do {
                _ = try FileHandlerConfiguration(dictionary: dictionary, file: "f.yaml", key: "files")
                Issue.record("accepted \(dictionary)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test("csv-to-jsonl: quoted fields, embedded newlines and doubled quotes give exact JSON Lines")
    func csvToJSONL() throws {
        let sandbox = try FileSandbox("csv")
        defer { sandbox.remove() }
        let csv = "id,name,note\r\n1,\"Smith, Ann\",\"line one\r\nline two\"\r\n2,Bob,\"he said \"\"hi\"\"\"\n3,Zoë ✓,\"\"\n\n4,tab\there,back\\slash"
        try sandbox.put("people.csv", Array(csv.utf8))
        let manifest = try sandbox.processor(allowed: [.csv]).run(
            FileJob(source: "people.csv", steps: [.verify, .checksum, .csvToJSONL, .copy], destination: "people.jsonl"), jobID: "job-1")
        let expected = """
        {"id":"1","name":"Smith, Ann","note":"line one\\r\\nline two"}
        {"id":"2","name":"Bob","note":"he said \\"hi\\""}
        {"id":"3","name":"Zoë ✓","note":""}
        {"id":"4","name":"tab\\there","note":"back\\\\slash"}

        """
        let output = String(decoding: try sandbox.output("people.jsonl"), as: UTF8.self)
        #expect(output == expected)
        // Each line is JSON that decodes back to the original values.
        let first = try JSONSerialization.jsonObject(with: Data(output.split(separator: "\n")[0].utf8)) as? [String: String]
        #expect(first?["note"] == "line one\r\nline two")
        #expect(manifest.detectedType == "csv")
        #expect(manifest.steps.map(\.step) == ["verify", "checksum", "csv-to-jsonl", "copy"])
        #expect(manifest.steps[2].rows == 4)
        #expect(manifest.steps[1].sha256 == Self.hex(Array(csv.utf8)))
        #expect(manifest.sha256 == Self.hex(Array(output.utf8)))
        #expect(manifest.inputBytes == Int64(csv.utf8.count) && manifest.outputBytes == Int64(output.utf8.count))
        // The manifest sits next to the output and equals the returned one.
        let written = try JSONDecoder().decode(FileManifest.self, from: Data(try sandbox.output("people.jsonl.manifest.json")))
        #expect(written == manifest)
        #expect(try sandbox.destinationListing() == ["people.jsonl", "people.jsonl.manifest.json"])
    }

    @Test("csv-to-jsonl refuses malformed CSV with the row number")
    func malformedCSV() throws {
        let sandbox = try FileSandbox("badcsv")
        defer { sandbox.remove() }
        let cases: [(String, String)] = [
            ("a,b\n1,2,3\n", "invalid CSV at row 2: 3 fields, but the header has 2"),
            ("a,b\n1,\"open\n", "invalid CSV at row 2: a quoted field is not closed"),
            ("a,b\n1,x\"y\n", "invalid CSV at row 2: a quote inside an unquoted field"),
            ("a,b\n\"1\"x,2\n", "invalid CSV at row 2: unexpected character after a closing quote"),
            ("a,a\n1,2\n", "invalid CSV at row 1: the header row repeats a column name"),
        ]
        for (index, (csv, message)) in cases.enumerated() {
            try sandbox.put("bad\(index).csv", Array(csv.utf8))
            #expect {
                try sandbox.processor().run(FileJob(source: "bad\(index).csv", steps: [.csvToJSONL, .copy], destination: "bad\(index).jsonl"), jobID: "j")
            } throws: { error in
                (error as? FileHandlerError)?.description.hasPrefix(message) == true && (error as? FileHandlerError)?.isPermanent == true
            }
            #expect(!sandbox.exists(sandbox.destination + "/bad\(index).jsonl"))
        }
        #expect(try sandbox.destinationListing().isEmpty)
    }

    @Test("verify: a PNG named .csv is refused when csv is allowed and png is not; the type comes from the bytes")
    func verifyUsesMagicBytes() throws {
        let sandbox = try FileSandbox("verify")
        defer { sandbox.remove() }
        try sandbox.put("report.csv", Self.pngHeader)
        let job = FileJob(source: "report.csv", steps: [.verify, .copy], destination: "report.csv")
        #expect {
            try sandbox.processor(allowed: [.csv, .text]).run(job, jobID: "j1")
        } throws: { error in
            (error as? FileHandlerError) == .typeNotAllowed(detected: "png", allowed: ["csv", "text"])
        }
        #expect(try sandbox.destinationListing().isEmpty)
        let accepted = try sandbox.processor(allowed: [.png]).run(job, jobID: "j2")
        #expect(accepted.detectedType == "png")

        // Binary without a known signature is not text; a NUL byte makes "text" binary.
        try sandbox.put("nul.txt", Array("hello\u{0}world".utf8))
        #expect(throws: FileHandlerError.self) { try sandbox.processor(allowed: [.text, .csv]).run(FileJob(source: "nul.txt", steps: [.verify]), jobID: "j3") }
        try sandbox.put("latin1.txt", [0x63, 0x61, 0x66, 0xE9])
        #expect(throws: FileHandlerError.self) { try sandbox.processor(allowed: [.text]).run(FileJob(source: "latin1.txt", steps: [.verify]), jobID: "j4") }
        // JSON-looking text is json when allowed; check-only runs write nothing.
        try sandbox.put("data.bin", Array(" [1, 2, \"é\"]".utf8))
        #expect(try sandbox.processor(allowed: [.json, .text]).run(FileJob(source: "data.bin", steps: [.verify, .checksum]), jobID: "j5").detectedType == "json")
        #expect(try sandbox.processor(allowed: [.text]).run(FileJob(source: "data.bin", steps: [.verify]), jobID: "j6").detectedType == "text")
        // Size limit.
        #expect {
            try sandbox.processor(maxBytes: 10).run(FileJob(source: "data.bin", steps: [.verify]), jobID: "j7")
        } throws: { error in (error as? FileHandlerError) == .tooLarge(limit: 10, step: "verify") }
        #expect(try sandbox.destinationListing() == ["report.csv", "report.csv.manifest.json"])
    }

    @Test("gzip → gunzip round-trips; gzip output is byte-identical across runs, with mtime 0 and no name")
    func gzipRoundTrip() throws {
        let sandbox = try FileSandbox("gzip")
        defer { sandbox.remove() }
        var input: [UInt8] = []
        var state: UInt32 = 12345
        for index in 0..<600_000 {
            state = state &* 1_103_515_245 &+ 12345
            input.append(index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 16) : UInt8(index % 251))
        }
        try sandbox.put("blob.bin", input)
        let first = try sandbox.processor().run(FileJob(source: "blob.bin", steps: [.checksum, .gzip, .copy], destination: "a/blob.gz"), jobID: "run-1")
        _ = try sandbox.processor().run(FileJob(source: "blob.bin", steps: [.gzip, .copy], destination: "b/blob.gz"), jobID: "run-2")
        let gz1 = try sandbox.output("a/blob.gz"), gz2 = try sandbox.output("b/blob.gz")
        #expect(gz1 == gz2)
        #expect(gz1.count < input.count)
        #expect(Array(gz1.prefix(10)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3], "header: no flags (no name), mtime 0, OS unix")
        #expect(first.sha256 == Self.hex(gz1) && first.steps[0].sha256 == Self.hex(input))

        // The system gzip agrees.
        let log = sandbox.base + "/gzip.out"
        let gzip = try ChildProcess("/usr/bin/gzip", ["-dc", sandbox.destination + "/a/blob.gz"], logFile: log, errorFile: sandbox.base + "/gzip.err")
        gzip.wait()
        #expect(gzip.exitCode == 0)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: log))) == input)

        // Back through gunzip (the gzip output copied into the source root).
        try sandbox.put("blob.gz", gz1)
        let back = try sandbox.processor(allowed: [.gzip]).run(FileJob(source: "blob.gz", steps: [.verify, .gunzip, .checksum, .copy], destination: "blob.back"), jobID: "run-3")
        #expect(try sandbox.output("blob.back") == input)
        #expect(back.detectedType == "gzip" && back.steps[2].sha256 == Self.hex(input))

        // Concatenated members decompress like gunzip; garbage and truncation are refused.
        try sandbox.put("two.gz", gz1 + gz1)
        _ = try sandbox.processor().run(FileJob(source: "two.gz", steps: [.gunzip, .copy], destination: "two.bin"), jobID: "run-4")
        #expect(try sandbox.output("two.bin") == input + input)
        try sandbox.put("cut.gz", Array(gz1.prefix(gz1.count / 2)))
        #expect(throws: FileHandlerError.self) { try sandbox.processor().run(FileJob(source: "cut.gz", steps: [.gunzip, .copy], destination: "cut.bin"), jobID: "run-5") }
        try sandbox.put("junk.gz", [0x1F, 0x8B] + [UInt8](repeating: 0x41, count: 100))
        #expect(throws: FileHandlerError.self) { try sandbox.processor().run(FileJob(source: "junk.gz", steps: [.gunzip, .copy], destination: "junk.bin"), jobID: "run-6") }
        #expect(!sandbox.exists(sandbox.destination + "/cut.bin") && !sandbox.exists(sandbox.destination + "/junk.bin"))
        // A decompression bomb stops at max_bytes.
        try sandbox.put("zeros.bin", [UInt8](repeating: 0, count: 4 << 20))
        _ = try sandbox.processor().run(FileJob(source: "zeros.bin", steps: [.gzip, .copy], destination: "zeros.gz"), jobID: "run-7")
        try sandbox.put("zeros.gz", try sandbox.output("zeros.gz"))
        #expect {
            try sandbox.processor(maxBytes: 1 << 20).run(FileJob(source: "zeros.gz", steps: [.gunzip, .copy], destination: "bomb.bin"), jobID: "run-8")
        } throws: { error in (error as? FileHandlerError) == .tooLarge(limit: 1 << 20, step: "gunzip") }
    }

    @Test("paths that escape their root are refused: .., absolute, symlinks out (source and destination)")
    func pathEscapes() throws {
        let sandbox = try FileSandbox("escape")
        defer { sandbox.remove() }
        let outside = sandbox.base + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: sandbox.source + "/link.txt", withDestinationPath: outside + "/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: sandbox.source + "/dir", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: sandbox.destination + "/exit", withDestinationPath: outside)
        try sandbox.put("ok.txt", Array("fine".utf8))
        try sandbox.put("sub/inner.txt", Array("inner".utf8))
        try FileManager.default.createSymbolicLink(atPath: sandbox.source + "/inside-link.txt", withDestinationPath: sandbox.source + "/sub/inner.txt")

        let sources = ["../outside/secret.txt", "../x", "/etc/passwd", "link.txt", "dir/secret.txt", "sub/../../outside/secret.txt"]
        for source in sources {
            #expect(throws: FileHandlerError.self, "\(source)") {
                try sandbox.processor().run(FileJob(source: source, steps: [.copy], destination: "stolen.txt"), jobID: "j")
            }
            do {
                _ = try sandbox.processor().run(FileJob(source: source, steps: [.copy], destination: "stolen.txt"), jobID: "j")
            } catch {
                guard case .pathEscapesRoot = error else { Issue.record("\(source): \(error)"); continue }
                #expect(error.isPermanent)
            }
        }
        for destination in ["../x", "/tmp/x", "exit/planted.txt", "a/../../x"] {
            #expect(throws: FileHandlerError.self, "\(destination)") {
                try sandbox.processor().run(FileJob(source: "ok.txt", steps: [.copy], destination: destination), jobID: "j")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret.txt"])
        #expect(try sandbox.destinationListing() == ["exit"])
        // A symlink that stays inside the root is fine.
        _ = try sandbox.processor().run(FileJob(source: "inside-link.txt", steps: [.copy], destination: "nested/dir/copy.txt"), jobID: "j")
        #expect(String(decoding: try sandbox.output("nested/dir/copy.txt"), as: UTF8.self) == "inner")
        #expect {
            try sandbox.processor().run(FileJob(source: "missing.txt", steps: [.copy], destination: "m.txt"), jobID: "j")
        } throws: { error in (error as? FileHandlerError) == .sourceNotFound(path: "missing.txt") }
    }

    @Test("an attempt that dies mid-write leaves nothing at the destination; the retry writes identical bytes")
    func interruptedWrite() throws {
        let sandbox = try FileSandbox("interrupt")
        defer { sandbox.remove() }
        var csv = "n,text\n"
        for index in 0..<40_000 { csv += "\(index),\"row \(index), with \"\"quotes\"\"\nand a newline\"\n" }
        try sandbox.put("big.csv", Array(csv.utf8))
        let job = FileJob(source: "big.csv", steps: [.verify, .csvToJSONL, .gzip, .copy], destination: "big.jsonl.gz")

        // A reference run under another name.
        let reference = try sandbox.processor().run(FileJob(source: "big.csv", steps: job.steps, destination: "reference.jsonl.gz"), jobID: "ref")
        let expected = try sandbox.output("reference.jsonl.gz")
        #expect(reference.outputBytes > 3 * 65536)

        struct Crash: Error {}
        let temporary = sandbox.destination + "/.big.jsonl.gz.spool-tmp-job_7"
        var sawTemporary = false
        #expect(throws: FileHandlerError.self) {
            try sandbox.processor().run(job, jobID: "job/7") { written in
                if written > reference.outputBytes / 2 {
                    sawTemporary = sandbox.exists(temporary) && !sandbox.exists(sandbox.destination + "/big.jsonl.gz")
                    throw Crash()
                }
            }
        }
        #expect(sawTemporary, "output is written under the temporary name until it is complete")
        #expect(!sandbox.exists(sandbox.destination + "/big.jsonl.gz"))
        #expect(!sandbox.exists(sandbox.destination + "/big.jsonl.gz.manifest.json"))
        #expect(!sandbox.exists(temporary))

        // A hard crash leaves the temporary file behind: the retry truncates and reuses it.
        try Data("half-written garbage".utf8).write(to: URL(fileURLWithPath: temporary))
        let retried = try sandbox.processor().run(job, jobID: "job/7")
        #expect(try sandbox.output("big.jsonl.gz") == expected)
        #expect(retried.sha256 == reference.sha256)
        #expect(try sandbox.destinationListing() == ["big.jsonl.gz", "big.jsonl.gz.manifest.json", "reference.jsonl.gz", "reference.jsonl.gz.manifest.json"])
        // Running again is idempotent.
        _ = try sandbox.processor().run(job, jobID: "job/7")
        #expect(try sandbox.output("big.jsonl.gz") == expected)
    }

    @Test("move removes the source after the output is in place; a retried move returns the earlier manifest")
    func moveIsIdempotent() throws {
        let sandbox = try FileSandbox("move")
        defer { sandbox.remove() }
        try sandbox.put("upload.json", Array("{\"a\":1}".utf8))
        let job = FileJob(source: "upload.json", steps: [.verify, .checksum, .move], destination: "archive/upload.json")
        let first = try sandbox.processor(allowed: [.json]).run(job, jobID: "m1")
        #expect(!sandbox.exists(sandbox.source + "/upload.json"))
        #expect(try sandbox.output("archive/upload.json") == Array("{\"a\":1}".utf8))
        let again = try sandbox.processor(allowed: [.json]).run(job, jobID: "m1")
        #expect(again == first)
        #expect(throws: FileHandlerError.self) { try sandbox.processor().run(job, jobID: "other-job") }
    }

    @Test("step lists that cannot run are refused before anything is read")
    func invalidSteps() throws {
        let sandbox = try FileSandbox("steps")
        defer { sandbox.remove() }
        try sandbox.put("a.txt", Array("x".utf8))
        let cases: [(FileJob, String)] = [
            (FileJob(source: "a.txt", steps: []), "invalid steps: the job has no steps"),
            (FileJob(source: "a.txt", steps: [.copy, .gzip], destination: "x"), "invalid steps: copy must be the last step"),
            (FileJob(source: "a.txt", steps: [.gzip]), "invalid steps: gzip produces output but there is no copy or move step"),
            (FileJob(source: "a.txt", steps: [.copy]), "invalid steps: copy needs a destination path"),
        ]
        for (job, message) in cases {
            #expect { try sandbox.processor().run(job, jobID: "j") } throws: { error in
                (error as? FileHandlerError)?.description.hasPrefix(message) == true
            }
        }
        // Unknown step names fail decoding (the worker dead-letters undecodable payloads).
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FileJob.self, from: Data(#"{"source":"a","steps":["shred"]}"#.utf8))
        }
        let decoded = try JSONDecoder().decode(FileJob.self, from: Data(#"{"source":"a","steps":["csv-to-jsonl","gzip","copy"],"destination":"b"}"#.utf8))
        #expect(decoded.steps == [.csvToJSONL, .gzip, .copy])
    }
}
