import Foundation
import SpoolHandlers
import Testing

/// A pair of fresh source/destination roots under /tmp, removed afterwards.
struct FileSandbox {
    let base: String
    let source: String
    let destination: String

    init(_ label: String) throws {
        base = NSTemporaryDirectory() + "spool-files-\(label)-\(UUID().uuidString.prefix(8))"
        source = base + "/in"
        destination = base + "/out"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
    }

    func configuration(maxBytes: Int64 = 1 << 30, allowed: Set<FileType> = Set(FileType.allCases)) -> FileHandlerConfiguration {
        FileHandlerConfiguration(sourceRoot: source, destinationRoot: destination, maxBytes: maxBytes, allowedTypes: allowed)
    }

    func processor(maxBytes: Int64 = 1 << 30, allowed: Set<FileType> = Set(FileType.allCases)) -> FileProcessor {
        FileProcessor(configuration: configuration(maxBytes: maxBytes, allowed: allowed))
    }

    func put(_ name: String, _ bytes: [UInt8]) throws {
        let path = source + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func output(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: destination + "/" + name)))
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func destinationListing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: destination).sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }
}

/// Heavy tests (memory measurements) take this lock so they never overlap each other.
let heavyTestLock = NSLock()

/// Peak resident memory of this process (VmHWM), in KiB, after resetting the peak to the current RSS.
enum PeakMemory {
    static func reset() {
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
    }

    static func kibibytes(_ field: String = "VmHWM") -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}

@Suite("File test support")
struct FileTestSupportTests {
    @Test("peak memory can be reset and read")
    func peakMemoryReads() {
        PeakMemory.reset()
        #expect(PeakMemory.kibibytes() > 0)
        #expect(PeakMemory.kibibytes("VmRSS") > 0)
    }

    @Test("the peak-memory meter sees a 48 MiB allocation (so flat figures elsewhere mean something)")
    func peakMemorySeesGrowth() {
        heavyTestLock.lock()
        defer { heavyTestLock.unlock() }
        PeakMemory.reset()
        let before = PeakMemory.kibibytes()
        var block = [UInt8](repeating: 1, count: 48 << 20)
        block[block.count - 1] = 2
        let after = PeakMemory.kibibytes()
        #expect(block.last == 2)
        #expect(after - before > 40 * 1024, "VmHWM \(before) → \(after) KiB")
    }
}
