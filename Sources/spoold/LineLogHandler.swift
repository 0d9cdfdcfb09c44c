import Foundation
import Logging

/// Writes one line per event to stderr, as text (`LEVEL label: message key=value …`, no timestamp: the
/// journal adds its own) or as one JSON object per line.
struct LineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String
    let json: Bool

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let text: String
        if json {
            var object: [String: String] = ["level": level.rawValue, "logger": label, "message": message.description,
                                            "time": ISO8601DateFormatter().string(from: Date())]
            for (key, value) in all { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        } else {
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(level.rawValue.uppercased()) \(label): \(message)" + (fields.isEmpty ? "" : " " + fields)
        }
        FileHandle.standardError.write(Data((text.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
    }
}
