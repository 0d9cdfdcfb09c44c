import Foundation
import SpoolHandlers

/// 7b. Peak memory of the file handler on a large input: generates `megabytes` of CSV text, runs
/// verify → checksum → gzip → copy, then reads the process's peak RSS (VmHWM) before and after.
struct FileMemoryWorkload {
    let megabytes: Int

    func run() throws -> (seconds: Double, peakBeforeMiB: Double, peakAfterMiB: Double, bytesOut: Int64) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-bench-files-\(UUID().uuidString.prefix(8))")
        let input = root.appendingPathComponent("in")
        let output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = input.appendingPathComponent("big.csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("id,value,note\n".utf8))
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        handle.seekToEndOfFile()
        var chunk = [UInt8]()
        var generator = SystemRandomNumberGenerator()
        for row in 0..<16_384 { chunk.append(contentsOf: Array("\(row),\(UInt64.random(in: 0...UInt64.max, using: &generator)),\"a, \"\"quoted\"\" note\"\n".utf8)) }
        var written = 0
        while written < megabytes << 20 {
            handle.write(Data(chunk))
            written += chunk.count
        }
        handle.closeFile()
        let before = Self.peakKiB()
        let processor = FileProcessor(configuration: FileHandlerConfiguration(sourceRoot: input.path, destinationRoot: output.path,
                                                                                   maxBytes: Int64(megabytes + 64) << 20))
        let started = ContinuousClock.now
        let manifest = try processor.run(FileJob(source: "big.csv", steps: [.verify, .checksum, .gzip, .copy], destination: "big.csv.gz"), jobID: "bench")
        let seconds = (ContinuousClock.now - started).inSeconds
        let after = Self.peakKiB()
        return (seconds, Double(before) / 1024, Double(after) / 1024, manifest.steps.last?.bytesOut ?? 0)
    }

    /// The process's peak resident set (VmHWM) in KiB.
    static func peakKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
