#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Spool

/// The `options` column: `JobOptions` as a JSON object, the contract a producer in any language writes.
///
/// The keys and their meaning are listed on ``Outbox`` (the public contract); keep the two in step.
enum OutboxOptionsCodec {
    /// Every key the relay understands.
    static let knownKeys = [
        "priority", "delay_ms", "run_at_ms", "max_attempts", "backoff", "timeout_ms", "unique_key", "unique_for_ms",
    ]

    /// The JSON object for `options` (without the id, which has its own column), keys in a fixed order and
    /// only those that differ from the defaults, so both producer paths write the same text.
    static func encode(_ options: JobOptions) -> String {
        var fields: [String] = []
        if options.priority != 0 { fields.append("\"priority\":\(options.priority)") }
        if let delay = options.delay { fields.append("\"delay_ms\":\(delay.wholeMilliseconds)") }
        if let runAt = options.runAt {
            fields.append("\"run_at_ms\":\(Int64((runAt.timeIntervalSince1970 * 1000).rounded()))")
        }
        if let maxAttempts = options.maxAttempts { fields.append("\"max_attempts\":\(maxAttempts)") }
        if let backoff = options.backoff?.encoded { fields.append("\"backoff\":\(jsonString(backoff))") }
        if let timeout = options.timeout { fields.append("\"timeout_ms\":\(timeout.wholeMilliseconds)") }
        if let uniqueKey = options.uniqueKey {
            fields.append("\"unique_key\":\(jsonString(uniqueKey))")
            fields.append("\"unique_for_ms\":\(max(1, options.uniqueFor.wholeMilliseconds))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The options a claimed row asks for, as the relay hands them to `Queue.enqueue`.
    ///
    /// `values` maps each known key to the text of its value (`options->>'key'`; nil when absent or null).
    /// A `delay_ms` becomes a run-at of `createdMillis + delay`, so time spent waiting for the relay counts
    /// toward the delay. Throws `invalidJob` for a value of the wrong type or out of range.
    static func decode(
        id: String, values: [String: String], unknownKeys: String?, createdMillis: Int64
    ) throws(SpoolError) -> JobOptions {
        if let unknownKeys {
            throw .invalidJob(
                "unknown option \(unknownKeys) in the outbox row's options; known: \(knownKeys.joined(separator: ", "))")
        }
        var options = JobOptions(id: id)
        if let text = values["priority"] { options.priority = Int(clamping: try integer(text, key: "priority")) }
        if let text = values["delay_ms"] { options.delay = .milliseconds(try integer(text, key: "delay_ms")) }
        if let text = values["run_at_ms"] {
            options.runAt = Date(timeIntervalSince1970: Double(try integer(text, key: "run_at_ms")) / 1000)
        }
        if let text = values["max_attempts"] { options.maxAttempts = Int(clamping: try integer(text, key: "max_attempts")) }
        if let text = values["backoff"] {
            guard let policy = RetryPolicy(encoded: text) else {
                throw .invalidJob("backoff \"\(text)\" is not exp:<base ms>:<factor>:<cap ms> or fixed:<ms>")
            }
            options.backoff = policy
        }
        if let text = values["timeout_ms"] { options.timeout = .milliseconds(try integer(text, key: "timeout_ms")) }
        if let text = values["unique_key"] { options.uniqueKey = text }
        if let text = values["unique_for_ms"] { options.uniqueFor = .milliseconds(try integer(text, key: "unique_for_ms")) }
        try options.validate()
        if options.runAt == nil, let delay = options.delay, delay > .zero {
            let (sum, overflow) = createdMillis.addingReportingOverflow(delay.wholeMilliseconds)
            options.runAt = Date(timeIntervalSince1970: Double(overflow ? Int64.max : sum) / 1000)
            options.delay = nil
        }
        return options
    }

    /// An integer option: JSON integers, or numbers with no fraction (`5.0`), or numeric strings.
    private static func integer(_ text: String, key: String) throws(SpoolError) -> Int64 {
        if let value = Int64(text) { return value }
        if let value = Double(text), value.rounded() == value, abs(value) < 9.0e15 { return Int64(value) }
        throw .invalidJob("option \(key) must be an integer, not \(text)")
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
